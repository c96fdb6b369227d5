package dev.mailsync.jobs.pop3;

import static dev.mailsync.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
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
        // Deleted for the whole account: every device gets `destroyed`, the deleting one too.
        assertThat(Sync.allChanges(subject, account, laptop, laptopBefore.state, 100).destroyed)
                .containsExactly(delta.created.get(0));
        assertThat(Sync.allChanges(subject, account, phone, delta.state, 100).destroyed)
                .containsExactly(delta.created.get(0));
        as(subject)
                .get("/v1/accounts/{a}/messages/{m}", account, delta.created.get(0))
                .then()
                .statusCode(404);
        assertThat(Sync.runWith(subject, account, phone, delete(delta.created.get(0)))
                        .getList("results.status"))
                .as("a retried delete")
                .containsExactly("ALREADY_APPLIED");
        assertThat(Sync.runWith(subject, account, laptop, delete(delta.created.get(0)))
                        .getList("results.status"))
                .as("the laptop's delete of what is gone for every device")
                .containsExactly("ALREADY_APPLIED");
    }

    @Test
    void aDeviceDeleteHidesTheMessageFromThatDeviceOnlyAndTheOthersKeepReadingIt() {
        Mailbox box = mailbox();
        box.deliver(message("Hidden"));
        box.deliver(message("Other"));
        String account = account(box, "KEEP", false);
        String phone = Api.createDevice(subject, account, "phone");
        String laptop = Api.createDevice(subject, account, "laptop");
        sync(account, phone);
        Sync.Delta phoneFirst = Sync.allChanges(subject, account, phone, null, 100);
        Sync.Delta laptopFirst = Sync.allChanges(subject, account, laptop, null, 100);
        String hidden = phoneFirst.created.get(phoneFirst.createdSubjects.indexOf("Hidden"));
        ack(account, phone, phoneFirst.state);

        JsonPath job = Sync.runWith(subject, account, phone, delete(hidden));
        assertThat(job.getList("results.status")).containsExactly("APPLIED");
        assertThat(job.getList("pop3.deleted")).isEmpty();
        assertThat(box.count()).as("the server keeps it").isEqualTo(2);

        Sync.Delta phoneAfter = Sync.allChanges(subject, account, phone, phoneFirst.state, 100);
        assertThat(phoneAfter.destroyed).containsExactly(hidden);
        assertThat(phoneAfter.created).isEmpty();
        assertThat(Sync.allChanges(subject, account, laptop, laptopFirst.state, 100).destroyed)
                .as("the laptop keeps it")
                .isEmpty();
        assertThat(Sync.allChanges(subject, account, laptop, null, 100).createdSubjects)
                .containsExactlyInAnyOrder("Hidden", "Other");
        assertThat(Sync.allChanges(subject, account, phone, null, 100).createdSubjects)
                .as("a phone starting over does not get it back")
                .containsExactly("Other");
        assertThat(deviceView(account, phone)).containsExactly("Other");
        assertThat(deviceView(account, laptop)).containsExactlyInAnyOrder("Hidden", "Other");
        assertThat(raw(account, hidden)).contains("Subject: Hidden");
        assertThat(message(account, hidden).getString("text")).contains("Body of Hidden");

        assertThat(Sync.runWith(subject, account, phone, delete(hidden)).getList("results.status"))
                .as("a retried delete")
                .containsExactly("ALREADY_APPLIED");
        assertThat(Sync.runWith(subject, account, phone, setSeen(hidden)).getList("results.status"))
                .as("a flag change on a message the phone deleted")
                .containsExactly("NOT_FOUND");
        assertThat(Sync.runWith(subject, account, laptop, setSeen(hidden)).getList("results.status"))
                .containsExactly("APPLIED");
        Sync.Delta phoneLater = Sync.allChanges(subject, account, phone, phoneAfter.state, 100);
        assertThat(phoneLater.created).isEmpty();
        assertThat(phoneLater.updated)
                .as("the laptop's flag change is no news for the phone")
                .isEmpty();
        assertThat(phoneLater.destroyed).isEmpty();

        // A view widened again brings back what the phone still has, not what it deleted.
        patchView(account, phone, Map.of("folders", List.of("Elsewhere")));
        patchView(account, phone, Map.of("folders", List.of("INBOX")));
        Sync.Delta widened = Sync.allChanges(subject, account, phone, phoneLater.state, 100);
        assertThat(widened.createdSubjects).containsExactly("Other");

        JsonPath laptopDelete = Sync.runWith(subject, account, laptop, delete(hidden));
        assertThat(laptopDelete.getList("results.status"))
                .as("the laptop still had it: its delete applies too")
                .containsExactly("APPLIED");
        assertThat(laptopDelete.getList("pop3.deleted")).isEmpty();
        assertThat(Sync.allChanges(subject, account, laptop, laptopFirst.state, 100).destroyed)
                .containsExactly(hidden);
        assertThat(box.count()).isEqualTo(2);
        assertThat(sync(account, phone).getInt("pop3.downloaded"))
                .as("its UIDL stays known")
                .isZero();
    }

    @Test
    void deleteAfterAllDevicesDoesNotWaitForADeviceThatDeletedTheMessage() {
        Mailbox box = mailbox();
        box.deliver(message("Unwanted"));
        String account = account(box, "DELETE_AFTER_ALL_DEVICES", false);
        String phone = Api.createDevice(subject, account, "phone");
        String laptop = Api.createDevice(subject, account, "laptop");
        sync(account, laptop);
        String id = Sync.allChanges(subject, account, phone, null, 100).created.get(0);

        // The phone deletes it without ever acknowledging it.
        JsonPath hide = Sync.runWith(subject, account, phone, delete(id));
        assertThat(hide.getList("results.status")).containsExactly("APPLIED");
        assertThat(hide.getList("pop3.deleted")).as("the laptop has not got it").isEmpty();
        assertThat(box.count()).isEqualTo(1);
        JsonPath view = accountView(account);
        assertThat(view.getList("pop3.nextDeletions.waitingFor.flatten()")).containsOnly(laptop);
        assertThat(view.getList("pop3.devices.findAll { it.deviceId == '" + phone + "' }.awaitingAcknowledgement"))
                .containsExactly(0);

        Sync.Delta laptopDelta = Sync.allChanges(subject, account, laptop, null, 100);
        assertThat(laptopDelta.created).containsExactly(id);
        ack(account, laptop, laptopDelta.state);
        assertThat(sync(account, laptop).getList("pop3.deleted.policy")).containsExactly("DELETE_AFTER_ALL_DEVICES");
        assertThat(box.count()).as("gone from the server").isZero();
        JsonPath confirming = sync(account, laptop);
        assertThat(confirming.getInt("pop3.confirmedDeleted")).isEqualTo(1);
        assertThat(confirming.getInt("pop3.released"))
                .as("the laptop still reads it")
                .isZero();
        assertThat(raw(account, id)).contains("Subject: Unwanted");

        // Once the laptop deletes it too, nobody can read it: the copy goes.
        JsonPath last = Sync.runWith(subject, account, laptop, delete(id));
        assertThat(last.getList("results.status")).containsExactly("APPLIED");
        assertThat(last.getInt("pop3.released")).isEqualTo(1);
        as(subject).get("/v1/accounts/{a}/messages/{m}", account, id).then().statusCode(404);
        assertThat(Sync.allChanges(subject, account, laptop, laptopDelta.state, 100).destroyed)
                .containsExactly(id);
    }

    protected static String delete(String messageId) {
        return "{\"changes\":[{\"type\":\"DELETE\",\"messageId\":\"" + messageId + "\"}]}";
    }

    protected static String setSeen(String messageId) {
        return "{\"changes\":[{\"type\":\"SET_FLAGS\",\"messageId\":\"" + messageId + "\",\"add\":[\"\\\\Seen\"]}]}";
    }

    /** The subjects of a device's full current view. */
    protected List<String> deviceView(String account, String device) {
        return as(subject)
                .get("/v1/accounts/{a}/devices/{d}/messages", account, device)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.subject", String.class);
    }

    protected void patchView(String account, String device, Map<String, Object> view) {
        as(subject)
                .contentType("application/merge-patch+json")
                .body(Map.of("view", view))
                .patch("/v1/accounts/{a}/devices/{d}", account, device)
                .then()
                .statusCode(200);
    }

    protected static List<String> ids(Sync.Delta d) {
        return d.created;
    }
}
