package dev.mailsync.jobs.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.TestMessages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Dovecot that reuses a UIDL (RFC 1939 allows it once the message is gone): its UIDL is the maildir
 * file name ({@code pop3_uidl_format = %f}), and a new message is delivered under the file name of one
 * mailsync deleted. The new message has the very same size, so nothing but the confirmed deletion tells
 * it apart: it must be downloaded and given to devices as new, wait for its own acknowledgement before
 * the policy deletes it, and the old message must stay readable from mailsync's stored copy.
 */
@QuarkusTest
class DovecotPop3ReusedUidlTest extends Pop3FlowContractSupport {
    private static final String USER = "reuse";
    private static final String PASSWORD = "Reused-UIDL-pw!";
    private static final String UIDL = "reused-uidl-1";
    /** A second maildrop, for the UIDL reused before mailsync had a session without it. */
    private static final String EARLY_USER = "reuse-early";

    private static final String EARLY_UIDL = "reused-uidl-2";
    private static Dovecot dovecot;

    @BeforeAll
    static void startDovecot() {
        dovecot = Dovecot.start(Dovecot.options()
                .user(USER, PASSWORD)
                .user(EARLY_USER, PASSWORD)
                .pop3UidlFormat("%f"));
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    private static byte[] message(String subjectLine) {
        return TestMessages.builder()
                .subject(subjectLine)
                .text("Body of " + subjectLine + "\r\n")
                .build();
    }

    @Test
    void aUidlReusedAfterItsMessageIsConfirmedGoneIsANewMessage() {
        byte[] first = message("Reused first");
        byte[] second = message("Reused other");
        assertThat(second).as("same size: the size cannot tell them apart").hasSameSizeAs(first);

        dovecot.deliverFile(USER, UIDL, first);
        String account =
                account(dovecot.host(), dovecot.pop3Port(), USER, PASSWORD, "DELETE_AFTER_FIRST_DEVICE", null, false);
        String phone = Api.createDevice(subject, account, "phone");
        String laptop = Api.createDevice(subject, account, "laptop");

        assertThat(sync(account, phone).getInt("pop3.downloaded")).isEqualTo(1);
        Sync.Delta phoneFirst = Sync.allChanges(subject, account, phone, null, 100);
        assertThat(phoneFirst.createdSubjects).containsExactly("Reused first");
        String firstId = phoneFirst.created.get(0);
        ack(account, phone, phoneFirst.state);

        JsonPath deleting = sync(account, phone);
        assertThat(deleting.getList("pop3.deleted.uidl")).containsExactly(UIDL);
        assertThat(dovecot.uids(USER, "INBOX")).isEmpty();
        assertThat(sync(account, phone).getInt("pop3.confirmedDeleted")).isEqualTo(1);

        // The server gives the UIDL to a new message of the same size.
        dovecot.deliverFile(USER, UIDL, second);
        JsonPath reused = sync(account, phone);
        assertThat(reused.getInt("pop3.downloaded")).as(reused.prettify()).isEqualTo(1);
        assertThat(reused.getList("pop3.skipped")).isEmpty();
        assertThat(reused.getList("pop3.deleted"))
                .as("not deleted on the strength of the first message's acknowledgement")
                .isEmpty();
        assertThat(dovecot.uids(USER, "INBOX")).hasSize(1);

        Sync.Delta phoneSecond = Sync.allChanges(subject, account, phone, phoneFirst.state, 100);
        assertThat(phoneSecond.createdSubjects).containsExactly("Reused other");
        String secondId = phoneSecond.created.get(0);
        assertThat(secondId).isNotEqualTo(firstId);
        assertThat(Sync.allChanges(subject, account, laptop, null, 100).createdSubjects)
                .as("a device that has neither gets both")
                .containsExactlyInAnyOrder("Reused first", "Reused other");
        assertThat(message(account, firstId).getString("subject")).isEqualTo("Reused first");
        assertThat(raw(account, firstId)).contains("Body of Reused first");
        assertThat(raw(account, secondId)).contains("Body of Reused other");
        assertThat(accountView(account).getList("pop3.nextDeletions.uidl")).containsExactly(UIDL);

        assertThat(sync(account, phone).getList("pop3.deleted"))
                .as("still waiting for an acknowledgement of the new message")
                .isEmpty();
        ack(account, phone, phoneSecond.state);
        JsonPath deletingSecond = sync(account, phone);
        assertThat(deletingSecond.getList("pop3.deleted.policy")).containsExactly("DELETE_AFTER_FIRST_DEVICE");
        assertThat(dovecot.uids(USER, "INBOX")).isEmpty();
        assertThat(sync(account, phone).getInt("pop3.confirmedDeleted")).isEqualTo(1);

        assertThat(message(account, firstId).getString("subject")).isEqualTo("Reused first");
        assertThat(message(account, secondId).getString("subject")).isEqualTo("Reused other");
        assertThat(Sync.allChanges(subject, account, laptop, null, 100).createdSubjects)
                .containsExactlyInAnyOrder("Reused first", "Reused other");
    }

    /**
     * RFC 1939 §6: the QUIT that answered {@code +OK} removed the message, so the UIDL listed at the very
     * next session (no listing without it in between) names a new message: downloaded as new, never sent
     * DELE on the strength of the first one's acknowledgement.
     */
    @Test
    void aUidlReusedRightAfterACommittedDeleIsANewMessage() {
        byte[] first = message("Early first");
        byte[] second = message("Early other");
        assertThat(second).as("same size: the size cannot tell them apart").hasSameSizeAs(first);

        dovecot.deliverFile(EARLY_USER, EARLY_UIDL, first);
        String account = account(
                dovecot.host(), dovecot.pop3Port(), EARLY_USER, PASSWORD, "DELETE_AFTER_FIRST_DEVICE", null, false);
        String phone = Api.createDevice(subject, account, "phone");
        String laptop = Api.createDevice(subject, account, "laptop");

        assertThat(sync(account, phone).getInt("pop3.downloaded")).isEqualTo(1);
        Sync.Delta phoneFirst = Sync.allChanges(subject, account, phone, null, 100);
        assertThat(phoneFirst.createdSubjects).containsExactly("Early first");
        String firstId = phoneFirst.created.get(0);
        ack(account, phone, phoneFirst.state);

        JsonPath deleting = sync(account, phone);
        assertThat(deleting.getList("pop3.deleted.uidl")).containsExactly(EARLY_UIDL);
        assertThat(dovecot.uids(EARLY_USER, "INBOX")).isEmpty();

        // Before any session without it, the server gives the UIDL to a new message of the same size.
        dovecot.deliverFile(EARLY_USER, EARLY_UIDL, second);
        JsonPath reused = sync(account, phone);
        assertThat(reused.getInt("pop3.confirmedDeleted"))
                .as("the first one is gone: " + reused.prettify())
                .isEqualTo(1);
        assertThat(reused.getInt("pop3.downloaded")).as(reused.prettify()).isEqualTo(1);
        assertThat(reused.getList("pop3.skipped")).isEmpty();
        assertThat(reused.getList("pop3.deleted"))
                .as("not deleted again: the new message has no acknowledgement of its own")
                .isEmpty();
        assertThat(dovecot.uids(EARLY_USER, "INBOX")).hasSize(1);

        Sync.Delta phoneSecond = Sync.allChanges(subject, account, phone, phoneFirst.state, 100);
        assertThat(phoneSecond.createdSubjects).containsExactly("Early other");
        String secondId = phoneSecond.created.get(0);
        assertThat(secondId).isNotEqualTo(firstId);
        assertThat(raw(account, firstId)).contains("Body of Early first");
        assertThat(raw(account, secondId)).contains("Body of Early other");
        assertThat(accountView(account).getList("pop3.nextDeletions.uidl")).containsExactly(EARLY_UIDL);
        assertThat(sync(account, phone).getList("pop3.deleted"))
                .as("still waiting for an acknowledgement of the new message")
                .isEmpty();
        assertThat(dovecot.uids(EARLY_USER, "INBOX")).hasSize(1);

        ack(account, phone, phoneSecond.state);
        assertThat(sync(account, phone).getList("pop3.deleted.policy")).containsExactly("DELETE_AFTER_FIRST_DEVICE");
        assertThat(dovecot.uids(EARLY_USER, "INBOX")).isEmpty();
        assertThat(sync(account, phone).getInt("pop3.confirmedDeleted")).isEqualTo(1);
        assertThat(Sync.allChanges(subject, account, laptop, null, 100).createdSubjects)
                .as("a device that has neither gets both")
                .containsExactlyInAnyOrder("Early first", "Early other");
    }
}
