package dev.mailsync.jobs.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.Dovecot;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DELETE_AFTER_DAYS on Dovecot, with the service's clock moved forward instead of waiting days. */
@QuarkusTest
@TestProfile(MovableClockProfile.class)
class DovecotPop3RetentionDaysTest extends Pop3FlowContractSupport {
    private static Dovecot dovecot;

    @Inject
    MovableClock clock;

    @BeforeAll
    static void startDovecot() {
        dovecot = Dovecot.start(Dovecot.options());
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void deleteAfterDaysDeletesOnlyOnceTheDaysHavePassedAndTheCopyStaysReadable() {
        String user = "days" + System.nanoTime() % 100000;
        dovecot.putUser(user, "Days-pass-word!");
        dovecot.appendMessage(user, "INBOX", Pop3FlowContract.message("Old news"));
        String account = account(dovecot.host(), dovecot.pop3Port(), user, "Days-pass-word!", "DELETE_AFTER_DAYS", 2);
        String phone = Api.createDevice(subject, account, "phone");

        Instant before = clock.instant();
        assertThat(sync(account, phone).getInt("pop3.downloaded")).isEqualTo(1);
        JsonPath view = accountView(account);
        assertThat(view.getString("pop3.nextDeletions[0].policy")).isEqualTo("DELETE_AFTER_DAYS");
        assertThat(Instant.parse(view.getString("pop3.nextDeletions[0].dueAt")))
                .isBetween(before.plus(Duration.ofDays(2)), clock.instant().plus(Duration.ofDays(2)));

        clock.advance(Duration.ofDays(1));
        assertThat(sync(account, phone).getList("pop3.deleted"))
                .as("one day is not two")
                .isEmpty();
        assertThat(dovecot.uids(user, "INBOX")).hasSize(1);

        clock.advance(Duration.ofDays(1).plusMinutes(1));
        JsonPath deleting = sync(account, phone);
        assertThat(deleting.getList("pop3.deleted.policy")).containsExactly("DELETE_AFTER_DAYS");
        assertThat(dovecot.uids(user, "INBOX")).isEmpty();

        // The phone never looked; the stored copy still gives it the message.
        Sync.Delta delta = Sync.allChanges(subject, account, phone, null, 100);
        assertThat(delta.createdSubjects).containsExactly("Old news");
        assertThat(message(account, delta.created.get(0)).getString("text")).contains("Body of Old news");
    }
}
