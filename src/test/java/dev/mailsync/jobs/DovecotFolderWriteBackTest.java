package dev.mailsync.jobs;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.ImapMailbox;
import dev.mailsync.testsupport.TestMessages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * APPEND and the folder changes (CREATE_FOLDER, RENAME_FOLDER, DELETE_FOLDER) written back to a real
 * Dovecot: each reaches the server, the mirror at once, every other device as news, and not the device
 * that made it (which gets the new ids in its results).
 */
@QuarkusTest
class DovecotFolderWriteBackTest {
    private static Dovecot dovecot;

    private String owner;
    private String user;
    private ImapMailbox other;
    private String account;
    private String phone;
    private String laptop;
    private String phoneState;
    private String laptopState;

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

    @BeforeEach
    void account() {
        owner = newSubject();
        user = "fw" + UUID.randomUUID().toString().substring(0, 8);
        dovecot.putUser(user, "pw");
        SyncFlowContract.Mailbox box = new SyncFlowContract.Mailbox(dovecot.host(), dovecot.imapPort(), user, "pw");
        other = box.client();
        other.append("INBOX", "hello");
        account = createAccount(owner, SyncFlowContract.accountOn(box));
        phone = createDevice(owner, account, "phone");
        laptop = createDevice(owner, account, "laptop");
        Sync.succeed(owner, account, phone);
        phoneState = Sync.allChanges(owner, account, phone, null, 500).state;
        laptopState = Sync.allChanges(owner, account, laptop, null, 500).state;
    }

    private String folderId(String name) {
        return as(owner)
                .get("/v1/accounts/{a}/folders", account)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("items.find { it.name == '" + name + "' }.id");
    }

    private JsonPath changes(String device, String json) {
        JsonPath job = Sync.runWith(owner, account, device, "{\"changes\":[" + json + "]}");
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("SUCCEEDED");
        return job;
    }

    private static String append(String folderId, byte[] rfc822, String flags) {
        return "{\"type\":\"APPEND\",\"folderId\":\"" + folderId + "\",\"flags\":" + flags + ",\"rfc822\":\""
                + Base64.getEncoder().encodeToString(rfc822) + "\"}";
    }

    @Test
    void an_appended_message_lands_in_the_folder_with_its_flags_and_reaches_only_the_other_devices() {
        byte[] sent = TestMessages.builder()
                .subject("sent from the phone")
                .messageId("<sent-1@phone.example>")
                .text("on my way")
                .build();
        JsonPath job = changes(phone, append(folderId("Sent"), sent, "[\"\\\\Seen\"]"));
        assertThat(job.getList("results.status", String.class)).containsExactly("APPLIED");
        String messageId = job.getString("results[0].messageId");
        assertThat(messageId).startsWith("msg_");

        assertThat(dovecot.uids(user, "Sent")).hasSize(1);
        long uid = dovecot.uids(user, "Sent").get(0);
        assertThat(other.flags("Sent", uid)).contains("\\Seen");

        // the phone made it: not news for the phone; the laptop gets it, with the server's summary
        Sync.Delta phoneNews = Sync.allChanges(owner, account, phone, phoneState, 500);
        assertThat(phoneNews.created).doesNotContain(messageId);
        Sync.succeed(owner, account, laptop);
        Sync.Delta laptopNews = Sync.allChanges(owner, account, laptop, laptopState, 500);
        assertThat(laptopNews.created).containsExactly(messageId);
        assertThat(laptopNews.createdSubjects).containsExactly("sent from the phone");

        // the body is the server's copy
        String raw = as(owner)
                .get("/v1/accounts/{a}/messages/{m}/raw", account, messageId)
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(raw).contains("Subject: sent from the phone").contains("on my way");
    }

    @Test
    void a_retried_append_of_the_same_message_id_is_not_duplicated() {
        byte[] draft = TestMessages.builder()
                .subject("draft")
                .messageId("<draft-7@phone.example>")
                .text("not yet")
                .build();
        String drafts = folderId("Drafts");
        JsonPath first = changes(phone, append(drafts, draft, "[\"\\\\Draft\"]"));
        JsonPath again = changes(phone, append(drafts, draft, "[\"\\\\Draft\"]"));
        assertThat(first.getList("results.status", String.class)).containsExactly("APPLIED");
        assertThat(again.getList("results.status", String.class)).containsExactly("ALREADY_APPLIED");
        assertThat(again.getString("results[0].messageId")).isEqualTo(first.getString("results[0].messageId"));
        assertThat(dovecot.uids(user, "Drafts")).hasSize(1);
    }

    @Test
    void an_append_to_a_folder_that_is_gone_or_unknown_is_answered_not_found_and_appends_nothing() {
        JsonPath job = changes(
                phone,
                append("fld_no_such_folder", "Subject: x\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII), "[]"));
        assertThat(job.getList("results.status", String.class)).containsExactly("NOT_FOUND");
    }

    @Test
    void create_rename_and_delete_of_folders_reach_the_server_and_the_other_device_only() {
        JsonPath created = changes(phone, "{\"type\":\"CREATE_FOLDER\",\"name\":\"Projects\"}");
        assertThat(created.getList("results.status", String.class)).containsExactly("APPLIED");
        String projects = created.getString("results[0].folderId");
        assertThat(projects).startsWith("fld_");
        assertThat(folderId("Projects")).isEqualTo(projects);
        JsonPath child = changes(phone, "{\"type\":\"CREATE_FOLDER\",\"name\":\"Projects/2025\"}");
        String year = child.getString("results[0].folderId");
        other.append("Projects/2025", "plan");

        Sync.succeed(owner, account, laptop);
        Sync.Delta laptopNews = Sync.allChanges(owner, account, laptop, laptopState, 500);
        assertThat(laptopNews.foldersCreated).containsExactlyInAnyOrder("Projects", "Projects/2025");
        assertThat(laptopNews.createdSubjects).containsExactly("plan");
        Sync.Delta phoneNews = Sync.allChanges(owner, account, phone, phoneState, 500);
        assertThat(phoneNews.foldersCreated).isEmpty();
        assertThat(phoneNews.createdSubjects).containsExactly("plan"); // the server's news, for every device
        phoneState = phoneNews.state;
        laptopState = laptopNews.state;

        // a rename keeps the ids of the folder, its subfolder and their messages
        JsonPath renamed = changes(
                phone, "{\"type\":\"RENAME_FOLDER\",\"folderId\":\"" + projects + "\",\"newName\":\"Archive 2025\"}");
        assertThat(renamed.getList("results.status", String.class)).containsExactly("APPLIED");
        assertThat(renamed.getString("results[0].folderId")).isEqualTo(projects);
        assertThat(folderId("Archive 2025")).isEqualTo(projects);
        assertThat(folderId("Archive 2025/2025")).isEqualTo(year);
        assertThat(dovecot.uids(user, "Archive 2025/2025")).hasSize(1);
        Sync.succeed(owner, account, laptop);
        laptopNews = Sync.allChanges(owner, account, laptop, laptopState, 500);
        assertThat(laptopNews.foldersUpdated).containsExactlyInAnyOrder("Archive 2025", "Archive 2025/2025");
        assertThat(laptopNews.foldersCreated).isEmpty();
        assertThat(laptopNews.destroyed).isEmpty();
        phoneNews = Sync.allChanges(owner, account, phone, phoneState, 500);
        assertThat(phoneNews.foldersUpdated).isEmpty();
        laptopState = laptopNews.state;

        // delete: refused while the folder holds mail or subfolders; fine once the device emptied it
        JsonPath refused = changes(phone, "{\"type\":\"DELETE_FOLDER\",\"folderId\":\"" + year + "\"}");
        assertThat(refused.getList("results.status", String.class)).containsExactly("REJECTED");
        assertThat(refused.getString("results[0].reason")).contains("not empty");
        JsonPath parent = changes(phone, "{\"type\":\"DELETE_FOLDER\",\"folderId\":\"" + projects + "\"}");
        assertThat(parent.getString("results[0].reason")).contains("subfolders");
        assertThat(dovecot.uids(user, "Archive 2025/2025")).hasSize(1);

        String plan = Sync.allChanges(owner, account, laptop, null, 500).created.stream()
                .filter(id -> !id.isEmpty())
                .toList()
                .stream()
                .filter(id -> as(owner)
                        .get("/v1/accounts/{a}/messages/{m}", account, id)
                        .then()
                        .extract()
                        .jsonPath()
                        .getString("subject")
                        .equals("plan"))
                .findFirst()
                .orElseThrow();
        JsonPath deleted = changes(
                phone,
                "{\"type\":\"DELETE\",\"messageId\":\"" + plan + "\"},"
                        + "{\"type\":\"DELETE_FOLDER\",\"folderId\":\"" + year + "\"},"
                        + "{\"type\":\"DELETE_FOLDER\",\"folderId\":\"" + projects + "\"}");
        assertThat(deleted.getList("results.status", String.class)).containsExactly("APPLIED", "APPLIED", "APPLIED");
        assertThat(folderId("Archive 2025")).isNull();
        Sync.succeed(owner, account, laptop);
        laptopNews = Sync.allChanges(owner, account, laptop, laptopState, 500);
        assertThat(laptopNews.foldersDestroyed).containsExactlyInAnyOrder(projects, year);
        assertThat(laptopNews.destroyed).containsExactly(plan);
    }

    @Test
    void a_folder_renamed_by_another_client_keeps_its_id_and_messages_for_every_device() {
        other.createFolder("Clients");
        other.createFolder("Clients/Acme");
        other.append("Clients/Acme", "contract");
        Sync.succeed(owner, account, phone);
        Sync.Delta before = Sync.allChanges(owner, account, phone, phoneState, 500);
        assertThat(before.createdSubjects).containsExactly("contract");
        String clients = folderId("Clients");
        String acme = folderId("Clients/Acme");

        other.renameFolder("Clients", "Customers");
        Sync.succeed(owner, account, phone);

        assertThat(folderId("Customers")).isEqualTo(clients);
        assertThat(folderId("Customers/Acme")).isEqualTo(acme);
        Sync.Delta after = Sync.allChanges(owner, account, phone, before.state, 500);
        assertThat(after.foldersUpdated).containsExactlyInAnyOrder("Customers", "Customers/Acme");
        assertThat(after.foldersCreated).isEmpty();
        assertThat(after.foldersDestroyed).isEmpty();
        assertThat(after.destroyed).isEmpty();
        assertThat(after.created).isEmpty();
        // the message is read from the folder's new name
        String message = before.created.get(0);
        assertThat(as(owner)
                        .get("/v1/accounts/{a}/messages/{m}", account, message)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getString("subject"))
                .isEqualTo("contract");
    }

    @Test
    void inbox_cannot_be_renamed_or_deleted_and_a_name_taken_is_refused() {
        String inbox = folderId("INBOX");
        JsonPath job = changes(
                phone,
                "{\"type\":\"RENAME_FOLDER\",\"folderId\":\"" + inbox + "\",\"newName\":\"Old\"},"
                        + "{\"type\":\"DELETE_FOLDER\",\"folderId\":\"" + inbox + "\"},"
                        + "{\"type\":\"RENAME_FOLDER\",\"folderId\":\"" + folderId("Archive")
                        + "\",\"newName\":\"Sent\"},"
                        + "{\"type\":\"CREATE_FOLDER\",\"name\":\"Sent\"}");
        assertThat(job.getList("results.status", String.class))
                .containsExactly("REJECTED", "REJECTED", "REJECTED", "ALREADY_APPLIED");
        assertThat(job.getString("results[3].folderId")).isEqualTo(folderId("Sent"));
        assertThat(dovecot.uids(user, "INBOX")).hasSize(1);
    }
}
