package dev.mailsync.jobs;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.DroppingProxy;
import dev.mailsync.testsupport.ImapMailbox;
import dev.mailsync.testsupport.TestMessages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sync that breaks in the middle leaves the mirror consistent: the step is retried and nothing is lost
 * or doubled; a device's change aimed at a message whose folder was recreated (new UIDVALIDITY) is never
 * applied to the new message that took its UID.
 */
@QuarkusTest
@TestProfile(DovecotSyncRecoveryTest.SmallChunks.class)
class DovecotSyncRecoveryTest {
    /** Summaries in chunks of 40, so a connection dropped mid-sync leaves some chunks committed. */
    public static class SmallChunks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailsync.sync.summary-chunk", "40");
        }
    }

    private static Dovecot dovecot;

    @BeforeAll
    static void start() {
        dovecot = Dovecot.start(Dovecot.options());
    }

    @AfterAll
    static void stop() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    private static String newUser(String prefix) {
        String user = prefix + UUID.randomUUID().toString().substring(0, 8);
        dovecot.putUser(user, "pw");
        return user;
    }

    private static Map<String, Object> account(String user, int port) {
        return Map.of(
                "protocol",
                "IMAP",
                "host",
                dovecot.host(),
                "port",
                port,
                "security",
                "NONE",
                "username",
                user,
                "password",
                "pw");
    }

    @Test
    void a_connection_dropped_in_the_middle_of_the_summaries_is_retried_and_every_message_arrives_once()
            throws Exception {
        String user = newUser("dr");
        for (int i = 0; i < 300; i++) {
            dovecot.appendMessage(user, "INBOX", TestMessages.simple("m" + i));
        }
        try (DroppingProxy proxy = new DroppingProxy(dovecot.host(), dovecot.imapPort())) {
            String owner = newSubject();
            String accountId = createAccount(owner, account(user, proxy.port()));
            String device = createDevice(owner, accountId, "phone");
            // about a third of the summaries (a few hundred bytes each) pass before the cut
            proxy.cutOnceAfter(40_000);

            String jobId = as(owner)
                    .post("/v1/accounts/{a}/devices/{d}/sync-jobs", accountId, device)
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            JsonPath job = Sync.await(owner, jobId, Duration.ofSeconds(90));

            assertThat(proxy.cuts()).isEqualTo(1);
            assertThat(job.getString("status")).as(job.prettify()).isEqualTo("SUCCEEDED");
            assertThat(job.getInt("attempts")).isEqualTo(2);
            Sync.Delta delta = Sync.allChanges(owner, accountId, device, null, 1000);
            assertThat(delta.created).hasSize(300).doesNotHaveDuplicates();
            assertThat(new HashSet<>(delta.createdSubjects)).hasSize(300);
            // a further sync finds nothing to add
            Sync.succeed(owner, accountId, device);
            assertThat(Sync.allChanges(owner, accountId, device, delta.state, 1000).created)
                    .isEmpty();
        }
    }

    @Test
    void a_pending_change_on_a_message_whose_folder_was_recreated_is_not_found_and_never_hits_the_new_message() {
        String user = newUser("uv");
        ImapMailbox other = new ImapMailbox(dovecot.host(), dovecot.imapPort(), user, "pw");
        other.createFolder("Work");
        long oldUid = other.append("Work", "old one");
        String owner = newSubject();
        String accountId = createAccount(owner, account(user, dovecot.imapPort()));
        String device = createDevice(owner, accountId, "phone");
        Sync.succeed(owner, accountId, device);
        Sync.Delta first = Sync.allChanges(owner, accountId, device, null, 500);
        String oldId = first.created.get(0);

        // another client deletes and recreates the folder: new UIDVALIDITY, and UID 1 is another message
        other.deleteFolder("Work");
        other.createFolder("Work");
        long newUid = other.append("Work", "new one");
        assertThat(newUid).isEqualTo(oldUid);

        JsonPath job = Sync.runWith(
                owner,
                accountId,
                device,
                "{\"changes\":[{\"type\":\"SET_FLAGS\",\"messageId\":\"" + oldId + "\",\"add\":[\"\\\\Flagged\"]},"
                        + "{\"type\":\"DELETE\",\"messageId\":\"" + oldId + "\"}]}");
        assertThat(job.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(job.getList("results.status", String.class)).containsExactly("NOT_FOUND", "NOT_FOUND");
        assertThat(other.flags("Work", newUid)).doesNotContain("\\Flagged");
        assertThat(dovecot.uids(user, "Work")).containsExactly(newUid);

        Sync.Delta next = Sync.allChanges(owner, accountId, device, first.state, 500);
        assertThat(next.destroyed).containsExactly(oldId);
        assertThat(next.createdSubjects).containsExactly("new one");
    }
}
