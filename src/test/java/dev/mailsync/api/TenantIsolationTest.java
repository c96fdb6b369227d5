package dev.mailsync.api;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.support.FreePorts;
import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.ImapMailbox;
import dev.mailsync.testsupport.TestMessages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a tenant can and cannot see and change, endpoint by endpoint of {@code openapi.yaml}. Alice owns an
 * account on a real IMAP server, with a device, a synced message with an attachment and a finished sync
 * job; Mallory owns an account and a device of her own. For every operation that names an id, Mallory
 * gets 404 problem+json (never 403: she learns nothing of what exists) with Alice's ids, and with her own
 * account beside Alice's device or message; Alice's account, devices, folders and jobs are the same
 * afterwards; and Alice herself gets the operation's success status, so the 404 is the owner check and
 * not a missing thing. The contract's operations are all listed here: a new one fails the test until it is.
 */
@QuarkusTest
class TenantIsolationTest {

    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withPerMethodLifecycle(false);

    /**
     * One operation of the contract, as Alice may call it.
     *
     * @param path the contract's path template
     * @param ownerStatus what Alice gets; 0 where her call would take away what later cases use (the
     *     deletes, covered by the resource tests)
     */
    record Operation(String method, String path, String body, int ownerStatus) {
        @Override
        public String toString() {
            return method + " " + path;
        }

        boolean namesASecondId() {
            return path.startsWith("/v1/accounts/{accountId}/")
                    && (path.contains("{deviceId}") || path.contains("{messageId}"));
        }
    }

    private static final String ACCOUNT = "/v1/accounts/{accountId}";
    private static final String DEVICE = ACCOUNT + "/devices/{deviceId}";
    private static final String MESSAGE = ACCOUNT + "/messages/{messageId}";

    /** Operations that name an account, a device, a message or a job. */
    static Stream<Operation> scoped() {
        return Stream.of(
                new Operation("GET", ACCOUNT, null, 200),
                new Operation("PATCH", ACCOUNT, "{\"name\": \"Alice's mail\"}", 200),
                new Operation("DELETE", ACCOUNT, null, 0),
                new Operation("POST", ACCOUNT + "/verify", null, 200),
                new Operation("GET", ACCOUNT + "/folders", null, 200),
                new Operation("GET", ACCOUNT + "/devices", null, 200),
                new Operation("POST", ACCOUNT + "/devices", "{\"name\": \"tablet\", \"platform\": \"WEB\"}", 201),
                new Operation("GET", DEVICE, null, 200),
                new Operation("PATCH", DEVICE, "{\"name\": \"phone 2\"}", 200),
                new Operation("DELETE", DEVICE, null, 0),
                new Operation("POST", DEVICE + "/sync-jobs", "{}", 202),
                new Operation("GET", DEVICE + "/sync-jobs", null, 200),
                new Operation("GET", DEVICE + "/changes", null, 200),
                new Operation("POST", DEVICE + "/ack", "{\"state\": \"{state}\"}", 204),
                new Operation("GET", DEVICE + "/messages", null, 200),
                new Operation("GET", MESSAGE, null, 200),
                new Operation("GET", MESSAGE + "/raw", null, 200),
                new Operation("GET", MESSAGE + "/attachments/{partId}", null, 200),
                new Operation("GET", "/v1/sync-jobs/{jobId}", null, 200),
                // the job has ended: Alice is told so (409), Mallory is told nothing (404)
                new Operation("DELETE", "/v1/sync-jobs/{jobId}", null, 409));
    }

    /** Operations on the caller's own collection: no id to borrow; each sees only its own. */
    private static final List<String> OWN = List.of("GET /v1/accounts", "POST /v1/accounts");

    /** Operations for operators (role admin): a user is refused with 403. */
    private static final List<String> ADMIN = List.of("GET /v1/admin/overview", "GET /v1/admin/credential-keys");

    private record Ids(String account, String device, String message, String part, String job, String state) {}

    private static Ids alice;
    private static Ids mallory;
    private static String aliceSubject;
    private static String mallorySubject;

    /** Alice's and Mallory's things, made once through the API. */
    private static synchronized void fixture() {
        if (alice != null) {
            return;
        }
        aliceSubject = newSubject();
        mallorySubject = newSubject();
        greenMail.setUser("alice@example.test", "alice", "alice-pw");
        ImapMailbox server = new ImapMailbox("127.0.0.1", greenMail.getImap().getPort(), "alice", "alice-pw");
        server.createFolder("INBOX");
        server.append(
                "INBOX",
                TestMessages.builder()
                        .subject("Payslip")
                        .text("Attached.")
                        .attachment("payslip.pdf", "application/pdf", "%PDF-1.4".getBytes(StandardCharsets.US_ASCII))
                        .build(),
                null);
        String account = createAccount(aliceSubject, alicesMailbox("alice-pw"));
        String device = createDevice(aliceSubject, account, "phone");
        JsonPath job = Sync.run(aliceSubject, account, device);
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("SUCCEEDED");
        String message = Sync.allChanges(aliceSubject, account, device, null, 100)
                .created
                .get(0);
        String part = as(aliceSubject)
                .get("/v1/accounts/{a}/messages/{m}", account, message)
                .then()
                .statusCode(200)
                .extract()
                .path("attachments[0].partId");
        alice = new Ids(account, device, message, part, job.getString("id"), job.getString("state"));

        String malloryAccount = createAccount(mallorySubject, imapAccount("127.0.0.1", FreePorts.closed()));
        mallory =
                new Ids(malloryAccount, createDevice(mallorySubject, malloryAccount, "laptop"), null, null, null, null);
    }

    /** Account settings for Alice's mailbox on the GreenMail server, with that password. */
    private static Map<String, Object> alicesMailbox(String password) {
        return Map.of(
                "protocol", "IMAP",
                "host", "127.0.0.1",
                "port", greenMail.getImap().getPort(),
                "security", "NONE",
                "username", "alice",
                "password", password);
    }

    private static Response call(String subject, Operation op, Ids ids) {
        String path = op.path();
        for (var id : Map.of(
                        "{accountId}", ids.account(),
                        "{deviceId}", ids.device(),
                        "{messageId}", ids.message(),
                        "{partId}", ids.part(),
                        "{jobId}", ids.job())
                .entrySet()) {
            if (path.contains(id.getKey())) {
                path = path.replace(id.getKey(), id.getValue());
            }
        }
        RequestSpecification request = as(subject);
        if (op.body() != null) {
            request = request.body(op.body().replace("{state}", ids.state()));
        }
        return request.request(op.method(), path);
    }

    /** What Alice can see of her things. */
    private static String aliceSees() {
        return String.join(
                "\n",
                read(as(aliceSubject).get("/v1/accounts/{a}", alice.account())),
                read(as(aliceSubject).get("/v1/accounts/{a}/devices", alice.account())),
                read(as(aliceSubject).get("/v1/accounts/{a}/folders", alice.account())),
                read(as(aliceSubject).get("/v1/accounts/{a}/devices/{d}/sync-jobs", alice.account(), alice.device())));
    }

    private static String read(Response response) {
        return response.then().statusCode(200).extract().asString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoped")
    void another_subject_gets_404_and_changes_nothing_while_the_owner_is_served(Operation op) {
        fixture();
        String before = aliceSees();

        Response foreign = call(mallorySubject, op, alice);
        assertThat(foreign.statusCode())
                .as("%s with Alice's ids: %s", op, foreign.asString())
                .isEqualTo(404);
        assertThat(foreign.contentType()).startsWith("application/problem+json");
        if (op.namesASecondId()) {
            // Mallory's own account, Alice's device or message: the second id is checked against the first
            Ids mixed = new Ids(
                    mallory.account(), alice.device(), alice.message(), alice.part(), alice.job(), alice.state());
            Response borrowed = call(mallorySubject, op, mixed);
            assertThat(borrowed.statusCode())
                    .as("%s with Mallory's account and Alice's ids: %s", op, borrowed.asString())
                    .isEqualTo(404);
        }
        assertThat(aliceSees()).as("what Alice sees after Mallory's %s", op).isEqualTo(before);

        if (op.ownerStatus() != 0) {
            Response own = call(aliceSubject, op, alice);
            assertThat(own.statusCode())
                    .as("%s by Alice: %s", op, own.asString())
                    .isEqualTo(op.ownerStatus());
            if (op.ownerStatus() == 202) {
                // let Alice's job end before the next case compares what she sees
                Sync.await(aliceSubject, own.path("id"), Duration.ofSeconds(60));
            }
        }
    }

    @Test
    void each_subject_lists_and_creates_only_its_own_accounts() {
        fixture();
        String before = aliceSees();
        List<String> listed = as(mallorySubject)
                .get("/v1/accounts")
                .then()
                .statusCode(200)
                .extract()
                .path("items.id");
        assertThat(listed).containsExactly(mallory.account());

        // an account for the same mailbox as Alice's: Mallory's own, and nothing of Alice's touched
        String second = createAccount(mallorySubject, alicesMailbox("a guess"));
        assertThat(second).isNotEqualTo(alice.account());
        assertThat(aliceSees()).isEqualTo(before);
        List<String> alices =
                as(aliceSubject).get("/v1/accounts").then().extract().path("items.id");
        assertThat(alices).containsExactly(alice.account());
    }

    @Test
    void the_operators_endpoints_refuse_a_user() {
        for (String op : ADMIN) {
            String[] parts = op.split(" ");
            as(newSubject()).request(parts[0], parts[1]).then().statusCode(403);
        }
    }

    @Test
    void every_operation_of_the_contract_is_covered_here() {
        var paths = new OpenAPIV3Parser().read("openapi.yaml").getPaths();
        List<String> contract = new ArrayList<>();
        paths.forEach((path, item) ->
                item.readOperationsMap().keySet().forEach(method -> contract.add(method.name() + " " + path)));
        List<String> covered = new ArrayList<>(OWN);
        covered.addAll(ADMIN);
        scoped().map(Operation::toString).forEach(covered::add);
        assertThat(covered).containsExactlyInAnyOrderElementsOf(contract);
    }

    @Test
    void the_same_mailbox_may_belong_to_two_subjects() {
        createAccount(newSubject(), imapAccount("127.0.0.1", FreePorts.closed()));
        createAccount(newSubject(), imapAccount("127.0.0.1", FreePorts.closed()));
    }
}
