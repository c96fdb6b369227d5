package dev.mailsync.jobs.pop3;

import static dev.mailsync.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The POP3 path through the public API, the way devices use it: sync, read changes, acknowledge, read
 * bodies from mailsync's stored copy; checked against what the server really holds afterwards. Every
 * flow ends its sessions with QUIT, so it holds for servers that delete at DELE (GreenMail) as well as
 * for RFC 1939 servers that delete at QUIT (Dovecot).
 */
abstract class Pop3FlowContract extends Pop3FlowContractSupport {
    private static final AtomicInteger USERS = new AtomicInteger();

    /** A POP3 mailbox on the server under test. */
    interface Mailbox {
        String host();

        int port();

        String user();

        String password();

        void deliver(byte[] rfc822);

        /** How many messages the server holds for the user now. */
        int count();
    }

    protected abstract Mailbox newMailbox(String user, String password);

    protected Mailbox mailbox() {
        return newMailbox("pop" + USERS.incrementAndGet() + "x" + System.nanoTime() % 100000, "Pop3-pass-word!");
    }

    protected String account(Mailbox box, String policy, boolean deleteOnDeviceDelete) {
        return account(box.host(), box.port(), box.user(), box.password(), policy, null, deleteOnDeviceDelete);
    }

    protected String account(
            String host, int port, Mailbox box, String policy, Integer days, boolean deleteOnDeviceDelete) {
        return account(host, port, box.user(), box.password(), policy, days, deleteOnDeviceDelete);
    }

    protected static byte[] message(String subjectLine) {
        return dev.mailsync.testsupport.TestMessages.builder()
                .subject(subjectLine)
                .text("Body of " + subjectLine + "\r\n.\r\n..a line with a dot")
                .build();
    }

    @Test
    void deleteAfterAllDevicesWaitsForTheSecondDeviceThenBothStillReadTheMessage() {
        Mailbox box = mailbox();
        box.deliver(message("One"));
        box.deliver(message("Two"));
        String account = account(box, "DELETE_AFTER_ALL_DEVICES", false);
        String phone = Api.createDevice(subject, account, "phone");
        String laptop = Api.createDevice(subject, account, "laptop");

        JsonPath first = sync(account, phone);
        assertThat(first.getInt("pop3.downloaded")).isEqualTo(2);
        assertThat(first.getInt("pop3.maildrop.count")).isEqualTo(2);
        Sync.Delta phoneDelta = Sync.allChanges(subject, account, phone, null, 100);
        assertThat(phoneDelta.createdSubjects).containsExactlyInAnyOrder("One", "Two");
        ack(account, phone, phoneDelta.state);

        JsonPath second = sync(account, phone);
        assertThat(second.getInt("pop3.downloaded"))
                .as("nothing is downloaded twice")
                .isZero();
        assertThat(second.getList("pop3.deleted"))
                .as("the laptop has not got them")
                .isEmpty();
        assertThat(box.count()).isEqualTo(2);
        JsonPath view = accountView(account);
        assertThat(view.getList("warnings.code")).contains("MULTI_DEVICE_DELETION");
        assertThat(view.getInt("pop3.nextDeletionsTotal")).isEqualTo(2);
        assertThat(view.getList("pop3.nextDeletions.waitingFor.flatten()")).containsOnly(laptop);
        assertThat(view.getList("pop3.devices.findAll { it.deviceId == '" + laptop + "' }.awaitingAcknowledgement"))
                .containsExactly(2);

        Sync.Delta laptopDelta = Sync.allChanges(subject, account, laptop, null, 100);
        assertThat(laptopDelta.created).containsExactlyInAnyOrderElementsOf(phoneDelta.created);
        ack(account, laptop, laptopDelta.state);

        JsonPath third = sync(account, laptop);
        assertThat(third.getList("pop3.deleted.policy"))
                .containsExactly("DELETE_AFTER_ALL_DEVICES", "DELETE_AFTER_ALL_DEVICES");
        assertThat(box.count()).as("gone from the server").isZero();
        JsonPath fourth = sync(account, laptop);
        assertThat(fourth.getInt("pop3.confirmedDeleted")).isEqualTo(2);
        assertThat(fourth.getList("pop3.deleted")).isEmpty();

        for (String id : phoneDelta.created) {
            JsonPath m = message(account, id);
            assertThat(m.getString("subject")).isIn("One", "Two");
            assertThat(m.getString("text")).contains("Body of").contains("..a line with a dot");
            assertThat(raw(account, id)).contains("Subject: " + m.getString("subject"));
        }
        assertThat(accountView(account).getInt("pop3.maildrop.count")).isZero();
    }

    @Test
    void deleteAfterFirstDeviceKeepsTheMessageForTheSecondDeviceInTheStoredCopy() {
        Mailbox box = mailbox();
        box.deliver(message("Classic"));
        String account = account(box, "DELETE_AFTER_FIRST_DEVICE", false);
        String home = Api.createDevice(subject, account, "home computer");
        String phone = Api.createDevice(subject, account, "phone");

        sync(account, home);
        Sync.Delta homeDelta = Sync.allChanges(subject, account, home, null, 100);
        ack(account, home, homeDelta.state);
        JsonPath deleting = sync(account, home);
        assertThat(deleting.getList("pop3.deleted.policy")).containsExactly("DELETE_AFTER_FIRST_DEVICE");
        assertThat(box.count()).isZero();

        // The source document's trap: the phone would find an empty inbox. Not here.
        sync(account, phone);
        Sync.Delta phoneDelta = Sync.allChanges(subject, account, phone, null, 100);
        assertThat(phoneDelta.createdSubjects).containsExactly("Classic");
        assertThat(message(account, phoneDelta.created.get(0)).getString("text"))
                .contains("Body of Classic");
    }

    @Test
    void keepNeverDeletesAndADeviceDeleteOnlyHidesTheMessage() {
        Mailbox box = mailbox();
        box.deliver(message("Kept"));
        String account = account(box, "KEEP", false);
        String phone = Api.createDevice(subject, account, "phone");
        sync(account, phone);
        Sync.Delta delta = Sync.allChanges(subject, account, phone, null, 100);
        ack(account, phone, delta.state);
        JsonPath job = Sync.runWith(
                subject,
                account,
                phone,
                "{\"changes\":[{\"type\":\"DELETE\",\"messageId\":\"" + delta.created.get(0) + "\"}]}");
        assertThat(job.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(job.getList("results.status")).containsExactly("APPLIED");
        assertThat(job.getList("pop3.deleted")).isEmpty();
        assertThat(box.count()).isEqualTo(1);
        assertThat(sync(account, phone).getInt("pop3.downloaded"))
                .as("its UIDL stays known")
                .isZero();
    }

    @Test
    void aDeviceDeleteAlsoDeletesOnTheServerWhenTheAccountSaysSo() {
        Mailbox box = mailbox();
        box.deliver(message("Spam"));
        String account = account(box, "KEEP", true);
        String phone = Api.createDevice(subject, account, "phone");
        String laptop = Api.createDevice(subject, account, "laptop");
        sync(account, phone);
        Sync.Delta delta = Sync.allChanges(subject, account, phone, null, 100);
        Sync.Delta laptopBefore = Sync.allChanges(subject, account, laptop, null, 100);
        JsonPath job = Sync.runWith(
                subject,
                account,
                phone,
                "{\"changes\":[{\"type\":\"DELETE\",\"messageId\":\"" + delta.created.get(0) + "\"},"
                        + "{\"type\":\"CREATE_FOLDER\",\"name\":\"X\"}]}");
        assertThat(job.getList("results.status")).containsExactly("APPLIED", "REJECTED");
        assertThat(job.getList("pop3.deleted.policy")).containsExactly("DELETED_ON_DEVICE");
        assertThat(box.count()).isZero();
        assertThat(Sync.allChanges(subject, account, laptop, laptopBefore.state, 100).destroyed)
                .containsExactly(delta.created.get(0));
        as(subject)
                .get("/v1/accounts/{a}/messages/{m}", account, delta.created.get(0))
                .then()
                .statusCode(404);
    }

    protected static List<String> ids(Sync.Delta d) {
        return d.created;
    }
}
