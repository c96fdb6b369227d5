package dev.mailsync.jobs;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.ImapMailbox;
import jakarta.mail.Flags;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole path API → job → IMAP server → mirror → delta, against a real server given by the
 * subclass. Each test has its own mailbox user and its own mailsync owner.
 */
abstract class SyncFlowContract {

    /** Creates a mailbox user on the server and returns its connection data. */
    protected abstract Mailbox newMailbox(String user, String password);

    protected record Mailbox(String host, int port, String user, String password) {
        ImapMailbox client() {
            return new ImapMailbox(host, port, user, password);
        }
    }

    /** The account settings that reach this test mailbox over plain IMAP. */
    protected static Map<String, Object> accountOn(Mailbox box) {
        return Map.of(
                "protocol", "IMAP",
                "host", box.host(),
                "port", box.port(),
                "security", "NONE",
                "username", box.user(),
                "password", box.password());
    }

    /** How often folders were brought up to date along this path (unchanged, qresync, condstore, scan, new). */
    protected static double folderRefreshes(String path) {
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        return metrics.lines()
                .filter(l ->
                        l.startsWith("mailsync_sync_folder_refreshes_total") && l.contains("path=\"" + path + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private String owner;
    private Mailbox mailbox;
    private ImapMailbox other;
    private String account;
    private String phone;
    private String laptop;

    @BeforeEach
    void setUp() {
        owner = newSubject();
        String user = "u" + UUID.randomUUID().toString().substring(0, 8);
        mailbox = newMailbox(user, "pw-" + user);
        other = mailbox.client();
        other.createFolder("INBOX");
        account = createAccount(owner, accountOn(mailbox));
        phone = createDevice(owner, account, "phone");
        laptop = createDevice(owner, account, "laptop");
    }

    @Test
    void messages_appended_by_another_client_reach_the_device_as_created() {
        other.append("INBOX", "first");
        other.append("INBOX", dev.mailsync.testsupport.TestMessages.simple("second"), new Flags(Flags.Flag.SEEN));
        other.append("INBOX", "third");

        // The mirror has nothing of INBOX yet: its UID list is enough, the flags come with the summaries.
        double newBefore = folderRefreshes("new");
        double scanBefore = folderRefreshes("scan");
        Sync.succeed(owner, account, phone);
        assertThat(folderRefreshes("new")).isGreaterThan(newBefore);
        assertThat(folderRefreshes("scan")).isEqualTo(scanBefore);
        Sync.Delta delta = Sync.allChanges(owner, account, phone, null, 500);

        assertThat(delta.foldersCreated).contains("INBOX");
        assertThat(delta.createdSubjects).containsExactlyInAnyOrder("first", "second", "third");
        var second = Sync.changes(owner, account, phone, null, 500);
        assertThat(second.getList("messages.created.findAll { it.subject == 'second' }.flags[0]", String.class))
                .contains("\\Seen");
        assertThat(second.getList("messages.created.size", Long.class)).allMatch(size -> size > 0);
        as(owner).get("/v1/accounts/{a}/folders", account).then().statusCode(200);
    }

    @Test
    void a_message_delivered_on_one_page_and_expunged_before_the_next_is_destroyed_on_the_device() {
        other.append("INBOX", "before");
        Sync.succeed(owner, account, phone);
        String state = Sync.allChanges(owner, account, phone, null, 500).state;

        long first = other.append("INBOX", "new-1");
        other.append("INBOX", "new-2");
        other.append("INBOX", "new-3");
        Sync.succeed(owner, account, phone);
        // the phone starts paging: one message a page
        var page1 = Sync.changes(owner, account, phone, state, 1);
        assertThat(page1.getBoolean("hasMore")).isTrue();
        List<String> got = new java.util.ArrayList<>(page1.getList("messages.created.id", String.class));
        assertThat(page1.getList("messages.created.subject", String.class)).containsExactly("new-1");

        // before its next page, the message it just got is expunged elsewhere
        other.expunge("INBOX", first);
        Sync.succeed(owner, account, phone);
        Sync.Delta rest = Sync.allChanges(owner, account, phone, page1.getString("newState"), 1);

        assertThat(rest.destroyed).containsExactlyElementsOf(got);
        assertThat(rest.createdSubjects).containsExactlyInAnyOrder("new-2", "new-3");
        // what the phone holds now is what the server holds
        List<String> held = new java.util.ArrayList<>(got);
        held.addAll(rest.created);
        held.removeAll(rest.destroyed);
        var view = as(owner)
                .get("/v1/accounts/{a}/devices/{d}/messages", account, phone)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(view.getList("items.subject", String.class)).containsExactlyInAnyOrder("before", "new-2", "new-3");
        assertThat(held)
                .containsExactlyInAnyOrderElementsOf(view.getList("items.id", String.class).stream()
                        .filter(id -> !id.equals(view.getString("items.find { it.subject == 'before' }.id")))
                        .toList());
    }

    @Test
    void flag_changes_elsewhere_arrive_as_updated_and_expunges_as_destroyed() {
        long keep = other.append("INBOX", "keep");
        long gone = other.append("INBOX", "gone");
        Sync.succeed(owner, account, phone);
        Sync.Delta first = Sync.allChanges(owner, account, phone, null, 500);
        assertThat(first.created).hasSize(2);

        other.setFlags("INBOX", keep, new Flags(Flags.Flag.FLAGGED), true);
        other.expunge("INBOX", gone);
        Sync.succeed(owner, account, phone);
        Sync.Delta next = Sync.allChanges(owner, account, phone, first.state, 500);

        assertThat(next.created).isEmpty();
        assertThat(next.updated).hasSize(1);
        @SuppressWarnings("unchecked")
        List<String> flags = (List<String>) next.updated.get(0).get("flags");
        assertThat(flags).contains("\\Flagged");
        assertThat(next.destroyed).hasSize(1);
        assertThat(first.created).contains(next.destroyed.get(0)).contains((String)
                next.updated.get(0).get("id"));
    }

    @Test
    void two_devices_each_get_every_change_exactly_once_across_pages() {
        for (int i = 0; i < 7; i++) {
            other.append("INBOX", "m" + i);
        }
        Sync.succeed(owner, account, phone); // one refresh serves every device of the account

        Sync.Delta onPhone = Sync.allChanges(owner, account, phone, null, 2);
        Sync.Delta onLaptop = Sync.allChanges(owner, account, laptop, null, 3);
        assertThat(onPhone.created).hasSize(7).doesNotHaveDuplicates();
        assertThat(new HashSet<>(onLaptop.created)).isEqualTo(new HashSet<>(onPhone.created));
        assertThat(onLaptop.created).doesNotHaveDuplicates();
        assertThat(onPhone.pages).isGreaterThan(3);

        other.append("INBOX", "late-1");
        other.append("INBOX", "late-2");
        Sync.succeed(owner, account, laptop);
        assertThat(Sync.allChanges(owner, account, phone, onPhone.state, 1).createdSubjects)
                .containsExactlyInAnyOrder("late-1", "late-2");
        assertThat(Sync.allChanges(owner, account, laptop, onLaptop.state, 1).createdSubjects)
                .containsExactlyInAnyOrder("late-1", "late-2");
    }

    @Test
    void replaying_an_old_state_returns_the_same_changes_again() {
        other.append("INBOX", "a");
        Sync.succeed(owner, account, phone);
        Sync.Delta first = Sync.allChanges(owner, account, phone, null, 500);
        other.append("INBOX", "b");
        Sync.succeed(owner, account, phone);

        Sync.Delta once = Sync.allChanges(owner, account, phone, first.state, 500);
        Sync.Delta again = Sync.allChanges(owner, account, phone, first.state, 500); // the response was lost
        assertThat(once.createdSubjects).containsExactly("b");
        assertThat(again.created).isEqualTo(once.created);
        assertThat(again.state).isEqualTo(once.state);
    }

    @Test
    void widening_a_view_brings_the_now_visible_folders_and_messages_as_created_to_that_device_only() {
        other.append("INBOX", "inbox mail");
        other.createFolder("Work");
        other.append("Work", "work old");
        other.append("Work", "work newer");
        other.append("Work", "work newest");
        String watch = as(owner)
                .body(Map.of(
                        "name", "watch",
                        "platform", "MOBILE",
                        "view", Map.of("folders", List.of("INBOX"), "maxPerFolder", 1)))
                .post("/v1/accounts/{a}/devices", account)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        Sync.succeed(owner, account, watch);
        Sync.Delta first = Sync.allChanges(owner, account, watch, null, 500);
        assertThat(first.createdSubjects).containsExactly("inbox mail");
        Sync.Delta laptopFirst = Sync.allChanges(owner, account, laptop, null, 500);

        as(owner)
                .contentType("application/merge-patch+json")
                .body(Map.of("view", Map.of("folders", List.of("INBOX", "Work"), "maxPerFolder", 2)))
                .patch("/v1/accounts/{a}/devices/{d}", account, watch)
                .then()
                .statusCode(200);

        Sync.Delta widened = Sync.allChanges(owner, account, watch, first.state, 1); // one item per page
        assertThat(widened.foldersCreated).containsExactly("Work");
        assertThat(widened.createdSubjects).containsExactlyInAnyOrder("work newer", "work newest");
        assertThat(widened.destroyed).isEmpty();
        assertThat(Sync.allChanges(owner, account, watch, widened.state, 500).created)
                .isEmpty();
        // another device's deltas are untouched by this device's view
        Sync.Delta laptopNext = Sync.allChanges(owner, account, laptop, laptopFirst.state, 500);
        assertThat(laptopNext.created).isEmpty();
        assertThat(laptopNext.foldersCreated).isEmpty();
    }

    @Test
    void a_device_limited_to_some_folders_sees_only_those() {
        other.append("INBOX", "inbox mail");
        other.createFolder("Work");
        other.append("Work", "work mail");
        String watch = as(owner)
                .body(Map.of("name", "watch", "platform", "MOBILE", "view", Map.of("folders", List.of("Work"))))
                .post("/v1/accounts/{a}/devices", account)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        Sync.succeed(owner, account, watch);

        assertThat(Sync.allChanges(owner, account, watch, null, 500).createdSubjects)
                .containsExactly("work mail");
        assertThat(Sync.allChanges(owner, account, phone, null, 500).createdSubjects)
                .contains("work mail", "inbox mail");
        assertThat(as(owner)
                        .get("/v1/accounts/{a}/devices/{d}/messages", account, watch)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("items.subject", String.class))
                .containsExactly("work mail");
    }

    @Test
    void a_flag_change_from_one_device_reaches_the_server_and_the_other_devices_but_not_itself() {
        long uid = other.append("INBOX", "to flag");
        Sync.succeed(owner, account, phone);
        Sync.Delta phoneFirst = Sync.allChanges(owner, account, phone, null, 500);
        Sync.Delta laptopFirst = Sync.allChanges(owner, account, laptop, null, 500);
        String message = phoneFirst.created.get(0);
        String setFlagged = "{\"type\":\"SET_FLAGS\",\"changeId\":\"c1\",\"messageId\":\"" + message
                + "\",\"add\":[\"\\\\Flagged\"]}";
        String body = "{\"changes\":[" + setFlagged
                + ",{\"type\":\"SET_FLAGS\",\"messageId\":\"msg_unknown\",\"add\":[\"\\\\Seen\"]}"
                + ",{\"type\":\"APPEND\",\"folderId\":\"fld_x\",\"rfc822\":\"U3ViamVjdDogeA==\"}]}";

        io.restassured.path.json.JsonPath job = Sync.runWith(owner, account, phone, body);
        assertThat(job.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(job.getList("results.status", String.class)).containsExactly("APPLIED", "NOT_FOUND", "NOT_FOUND");
        assertThat(job.getString("results[0].changeId")).isEqualTo("c1");
        assertThat(job.getString("results[2].reason")).isEqualTo("no such folder");
        assertThat(other.flags("INBOX", uid)).contains("\\Flagged");

        assertThat(Sync.allChanges(owner, account, phone, phoneFirst.state, 500).updated)
                .isEmpty();
        Sync.Delta onLaptop = Sync.allChanges(owner, account, laptop, laptopFirst.state, 500);
        assertThat(onLaptop.updated).singleElement().satisfies(u -> {
            assertThat(u.get("id")).isEqualTo(message);
            assertThat(u.get("flags").toString()).contains("\\Flagged");
        });

        io.restassured.path.json.JsonPath again =
                Sync.runWith(owner, account, phone, "{\"changes\":[" + setFlagged + "]}");
        assertThat(again.getList("results.status", String.class)).containsExactly("ALREADY_APPLIED");
    }

    @Test
    void opening_a_message_fetches_its_bodies_raw_source_and_attachments_from_the_server() {
        byte[] pdf = "%PDF-1.4 pretend".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] rfc822 = dev.mailsync.testsupport.TestMessages.builder()
                .subject("Résumé attached")
                .text("Hello there, see the attachment.")
                .html("<p>Hello <b>there</b></p>")
                .attachment("cv.pdf", "application/pdf", pdf)
                .build();
        long uid = other.append("INBOX", rfc822, null);
        Sync.succeed(owner, account, phone);
        String id = Sync.allChanges(owner, account, phone, null, 500).created.get(0);

        io.restassured.path.json.JsonPath message = as(owner)
                .get("/v1/accounts/{a}/messages/{m}", account, id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(message.getString("subject")).isEqualTo("Résumé attached");
        assertThat(message.getString("text")).contains("see the attachment");
        assertThat(message.getString("html")).contains("<b>there</b>");
        assertThat(message.getList("headers.name", String.class)).contains("Subject");
        assertThat(message.getList("attachments.fileName", String.class)).containsExactly("cv.pdf");
        String partId = message.getString("attachments[0].partId");

        byte[] raw = as(owner)
                .get("/v1/accounts/{a}/messages/{m}/raw", account, id)
                .then()
                .statusCode(200)
                .contentType("message/rfc822")
                .extract()
                .asByteArray();
        assertThat(new String(raw, java.nio.charset.StandardCharsets.US_ASCII)).contains("cv.pdf");
        assertThat(raw.length).isBetween(rfc822.length - 200, rfc822.length + 200);

        io.restassured.response.Response part =
                as(owner).get("/v1/accounts/{a}/messages/{m}/attachments/{p}", account, id, partId);
        assertThat(part.statusCode()).isEqualTo(200);
        assertThat(part.contentType()).startsWith("application/pdf");
        assertThat(part.header("Content-Disposition")).contains("cv.pdf").startsWith("attachment");
        assertThat(part.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(part.asByteArray()).isEqualTo(pdf);

        as(owner)
                .get("/v1/accounts/{a}/messages/{m}/attachments/9", account, id)
                .then()
                .statusCode(404);
        as(owner)
                .get("/v1/accounts/{a}/messages/{m}/attachments/x.y", account, id)
                .then()
                .statusCode(400)
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("partId"));
        as(newSubject())
                .get("/v1/accounts/{a}/messages/{m}", account, id)
                .then()
                .statusCode(404);

        other.expunge("INBOX", uid);
        as(owner).get("/v1/accounts/{a}/messages/{m}", account, id).then().statusCode(404);
    }
}
