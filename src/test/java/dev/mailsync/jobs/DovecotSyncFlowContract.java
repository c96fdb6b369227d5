package dev.mailsync.jobs;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.ImapMailbox;
import jakarta.mail.Flags;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The sync path on a real Dovecot: {@link DovecotSyncFlowTest} with QRESYNC (changes since the stored
 * mod-sequence in one EXAMINE on a second connection), {@link DovecotCondstoreSyncFlowTest} with QRESYNC
 * switched off in Dovecot. Each subclass starts its Dovecot in a static {@code @BeforeAll}.
 */
abstract class DovecotSyncFlowContract extends SyncFlowContract {
    static Dovecot dovecot;

    /** The way a folder with changes is brought up to date on this server (a metric tag). */
    abstract String changePath();

    @AfterAll
    static void stop() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Override
    protected Mailbox newMailbox(String user, String password) {
        dovecot.putUser(user, password);
        return new Mailbox(dovecot.host(), dovecot.imapPort(), user, password);
    }

    @Test
    void headers_sent_in_raw_utf8_read_the_same_in_the_summary_and_in_the_opened_message() {
        String owner = newSubject();
        String user = "u8" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Mailbox box = newMailbox(user, "pw");
        byte[] raw = ("From: Ann \u00c4rger <ann@example.org>\r\nTo: J\u00fcrgen <j@example.org>\r\n"
                        + "Subject: Gr\u00fc\u00dfe aus K\u00f6ln\r\nDate: Fri, 27 Nov 2026 08:00:00 +0000\r\n"
                        + "Message-ID: <u8@example.org>\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\n\r\nSch\u00f6ne Gr\u00fc\u00dfe\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        box.client().append("INBOX", raw, null);
        String account = createAccount(owner, accountOn(box));
        String device = createDevice(owner, account, "phone");
        Sync.succeed(owner, account, device);
        Sync.Delta delta = Sync.allChanges(owner, account, device, null, 500);
        assertThat(delta.createdSubjects).containsExactly("Gr\u00fc\u00dfe aus K\u00f6ln");

        io.restassured.path.json.JsonPath message = as(owner)
                .get("/v1/accounts/{a}/messages/{m}", account, delta.created.get(0))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(message.getString("subject")).isEqualTo("Gr\u00fc\u00dfe aus K\u00f6ln");
        assertThat(message.getString("from[0].name")).isEqualTo("Ann \u00c4rger");
        assertThat(message.getString("to[0].name")).isEqualTo("J\u00fcrgen");
        assertThat(message.getString("text")).contains("Sch\u00f6ne Gr\u00fc\u00dfe");
    }

    @Test
    void a_sync_with_nothing_changed_does_not_open_the_folder_and_changes_still_arrive() {
        String owner = newSubject();
        String user = "cs" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Mailbox box = newMailbox(user, "pw");
        ImapMailbox other = box.client();
        long[] uids = new long[5];
        for (int i = 0; i < 5; i++) {
            uids[i] = other.append("INBOX", "m" + i);
        }
        String account = createAccount(owner, accountOn(box));
        String device = createDevice(owner, account, "phone");
        Sync.succeed(owner, account, device);
        Sync.Delta first = Sync.allChanges(owner, account, device, null, 500);
        assertThat(first.created).hasSize(5);

        double unchangedBefore = folderRefreshes("unchanged");
        Sync.succeed(owner, account, device);
        assertThat(folderRefreshes("unchanged")).isGreaterThan(unchangedBefore);
        assertThat(Sync.allChanges(owner, account, device, first.state, 500).created)
                .isEmpty();

        // several expunges at once (the Angus QRESYNC bug's trigger), a flag change and new mail
        other.expunge("INBOX", uids[0], uids[1], uids[2]);
        other.setFlags("INBOX", uids[3], new Flags(Flags.Flag.FLAGGED), true);
        other.append("INBOX", "new one");
        double pathBefore = folderRefreshes(changePath());
        Sync.succeed(owner, account, device);
        assertThat(folderRefreshes(changePath())).isGreaterThan(pathBefore);
        Sync.Delta next = Sync.allChanges(owner, account, device, first.state, 500);
        assertThat(next.destroyed).hasSize(3);
        assertThat(next.updated).hasSize(1);
        assertThat(next.createdSubjects).containsExactly("new one");
    }

    @Test
    void the_quota_reaches_the_account_with_a_warning_when_nearly_full() {
        String owner = newSubject();
        String user = "q" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Mailbox box = newMailbox(user, "pw"); // the harness gives every user a 10M quota
        String account = createAccount(owner, accountOn(box));
        String device = createDevice(owner, account, "phone");
        box.client().append("INBOX", "small");
        Sync.succeed(owner, account, device);
        io.restassured.path.json.JsonPath before = dev.mailsync.support.Api.as(owner)
                .get("/v1/accounts/{a}", account)
                .then()
                .extract()
                .jsonPath();
        assertThat(before.getLong("quota.limitKilobytes")).isEqualTo(10240);
        assertThat(before.getList("warnings.code", String.class)).doesNotContain("QUOTA_NEARLY_FULL");

        StringBuilder big = new StringBuilder("From: a@example.test\r\nTo: b@example.test\r\nSubject: big\r\n\r\n");
        String line = "x".repeat(998) + "\r\n";
        while (big.length() < 9_500 * 1024) {
            big.append(line);
        }
        box.client().append("INBOX", big.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII), null);
        Sync.succeed(owner, account, device);
        io.restassured.path.json.JsonPath after = dev.mailsync.support.Api.as(owner)
                .get("/v1/accounts/{a}", account)
                .then()
                .extract()
                .jsonPath();
        assertThat(after.getDouble("quota.percent")).isGreaterThanOrEqualTo(90.0);
        assertThat(after.getList("warnings.code", String.class)).contains("QUOTA_NEARLY_FULL");
    }

    @Test
    void a_delete_in_expunge_mode_removes_exactly_that_message_and_not_what_others_marked_deleted() {
        String owner = newSubject();
        String user = "d" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Mailbox box = newMailbox(user, "pw");
        ImapMailbox other = box.client();
        long doomed = other.append("INBOX", "doomed");
        long markedElsewhere = other.append("INBOX", "marked deleted by another client");
        other.setFlags("INBOX", markedElsewhere, new Flags(Flags.Flag.DELETED), true);
        String account = createAccount(owner, accountOn(box));
        dev.mailsync.support.Api.as(owner)
                .body(Map.of("imapDeleteMode", "EXPUNGE"))
                .patch("/v1/accounts/{a}", account)
                .then()
                .statusCode(200);
        String phone = createDevice(owner, account, "phone");
        String laptop = createDevice(owner, account, "laptop");
        Sync.succeed(owner, account, phone);
        Sync.Delta phoneFirst = Sync.allChanges(owner, account, phone, null, 500);
        Sync.Delta laptopFirst = Sync.allChanges(owner, account, laptop, null, 500);
        String id = phoneFirst.created.get(phoneFirst.createdSubjects.indexOf("doomed"));

        io.restassured.path.json.JsonPath job = Sync.runWith(
                owner, account, phone, "{\"changes\":[{\"type\":\"DELETE\",\"messageId\":\"" + id + "\"}]}");
        assertThat(job.getList("results.status", String.class)).containsExactly("APPLIED");

        assertThat(dovecot.uids(user, "INBOX")).containsExactly(markedElsewhere); // UID EXPUNGE, not EXPUNGE
        assertThat(Sync.allChanges(owner, account, phone, phoneFirst.state, 500).destroyed)
                .isEmpty();
        assertThat(Sync.allChanges(owner, account, laptop, laptopFirst.state, 500).destroyed)
                .containsExactly(id);
    }

    @Test
    void a_delete_in_trash_mode_moves_the_message_to_the_special_use_trash() {
        String owner = newSubject();
        String user = "t" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Mailbox box = newMailbox(user, "pw");
        ImapMailbox other = box.client();
        other.append("INBOX", "to trash");
        String account = createAccount(owner, accountOn(box)); // TRASH is the default delete mode
        String phone = createDevice(owner, account, "phone");
        Sync.succeed(owner, account, phone);
        Sync.Delta first = Sync.allChanges(owner, account, phone, null, 500);
        String id = first.created.get(0);

        io.restassured.path.json.JsonPath job = Sync.runWith(
                owner, account, phone, "{\"changes\":[{\"type\":\"DELETE\",\"messageId\":\"" + id + "\"}]}");
        assertThat(job.getList("results.status", String.class)).containsExactly("APPLIED");
        assertThat(dovecot.uids(user, "INBOX")).isEmpty();
        assertThat(dovecot.uids(user, "Trash")).hasSize(1);
        Sync.Delta next = Sync.allChanges(owner, account, phone, first.state, 500);
        assertThat(next.createdSubjects).containsExactly("to trash"); // now in Trash, a new message there
        assertThat(next.destroyed).isEmpty(); // its own delete is not echoed
    }

    @Test
    void a_move_gives_the_message_a_new_identity_in_the_target_folder_for_every_device() {
        String owner = newSubject();
        String user = "mv" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Mailbox box = newMailbox(user, "pw");
        ImapMailbox other = box.client();
        other.append("INBOX", "to archive");
        String account = createAccount(owner, accountOn(box));
        String phone = createDevice(owner, account, "phone");
        Sync.succeed(owner, account, phone);
        Sync.Delta first = Sync.allChanges(owner, account, phone, null, 500);
        String id = first.created.get(0);
        String archive = dev.mailsync.support.Api.as(owner)
                .get("/v1/accounts/{a}/folders", account)
                .then()
                .extract()
                .jsonPath()
                .getString("items.find { it.name == 'Archive' }.id");

        io.restassured.path.json.JsonPath job = Sync.runWith(
                owner,
                account,
                phone,
                "{\"changes\":[{\"type\":\"MOVE\",\"messageId\":\"" + id + "\",\"toFolderId\":\"" + archive + "\"}]}");
        assertThat(job.getList("results.status", String.class)).containsExactly("APPLIED");
        assertThat(dovecot.uids(user, "INBOX")).isEmpty();
        assertThat(dovecot.uids(user, "Archive")).hasSize(1);

        Sync.Delta next = Sync.allChanges(owner, account, phone, first.state, 500);
        assertThat(next.destroyed).containsExactly(id);
        assertThat(next.createdSubjects).containsExactly("to archive");
        assertThat(next.created).doesNotContain(id);
    }
}
