package dev.mailsync.jobs.pop3;

import static dev.mailsync.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.TestCertificates;
import dev.mailsync.testsupport.TestMessages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POP3 over TLS against a real Dovecot with {@code ssl = yes}: implicit TLS (POP3S, port 995 style) and
 * STLS on the plain port, with a server certificate from a private CA that the service trusts through
 * {@code mailsync.mail.trust-store}. A certificate from a CA it does not trust, or one that does not name
 * the host the account connects to, fails the job with {@code TLS_FAILED} before the password is sent,
 * and nothing is downloaded.
 */
@QuarkusTest
@TestProfile(DovecotPop3TlsTest.TrustsTheTestCa.class)
class DovecotPop3TlsTest extends Pop3FlowContractSupport {
    private static final String CA = "mailsync trusted test CA";
    private static final String PASSWORD = "Pop3-over-TLS-pw!";
    private static final AtomicInteger USERS = new AtomicInteger();

    /** The service trusts the shared test CA, and only it besides the JVM's CAs. */
    public static class TrustsTheTestCa implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            if (!Dovecot.isInstalled()) {
                return Map.of(); // the tests skip (or fail, on CI) in startDovecots
            }
            return Map.of(
                    "mailsync.mail.trust-store",
                    TestCertificates.shared(CA).certificate().toString());
        }
    }

    /** Its certificate comes from the trusted CA and names 127.0.0.1 (only). */
    private static Dovecot trusted;
    /** Its certificate names 127.0.0.1 too, but comes from a CA the service does not know. */
    private static Dovecot untrusted;

    @BeforeAll
    static void startDovecots() {
        trusted =
                Dovecot.start(Dovecot.options().tls(TestCertificates.shared(CA).issue("IP:127.0.0.1")));
        untrusted = Dovecot.start(Dovecot.options()
                .tls(TestCertificates.authority("mailsync untrusted CA").issue("IP:127.0.0.1")));
    }

    @AfterAll
    static void stopDovecots() {
        if (trusted != null) {
            trusted.close();
        }
        if (untrusted != null) {
            untrusted.close();
        }
    }

    private static String newUser(Dovecot dovecot) {
        String user = "tls" + USERS.incrementAndGet() + "x" + System.nanoTime() % 100000;
        dovecot.putUser(user, PASSWORD);
        return user;
    }

    private static byte[] message(String subjectLine) {
        return TestMessages.builder()
                .subject(subjectLine)
                .text("Body of " + subjectLine + "\r\n.\r\n..a line with a dot")
                .build();
    }

    /** The POP3 logins Dovecot logged for the user (IMAP logins of the test harness left out). */
    /** The user's POP3 login lines in Dovecot's log now. */
    private static List<String> pop3Logins(Dovecot dovecot, String user) {
        return dovecot.log()
                .lines()
                .filter(l -> l.contains("pop3-login: ") && l.contains("Login: user=<" + user + ">"))
                .toList();
    }

    /**
     * The user's POP3 login lines in Dovecot's log, once there are at least {@code expected}: Dovecot's
     * log process writes them a moment after the session that logged in may have ended.
     */
    private static List<String> pop3Logins(Dovecot dovecot, String user, int expected) {
        return await(expected + " POP3 login line(s) of " + user + " in Dovecot's log")
                .atMost(Duration.ofSeconds(20))
                .until(() -> pop3Logins(dovecot, user), lines -> lines.size() >= expected);
    }

    @Test
    void implicitTlsDownloadsDeletesAfterQuitAndConfirms() {
        String user = newUser(trusted);
        trusted.appendMessage(user, "INBOX", message("Over TLS one"));
        trusted.appendMessage(user, "INBOX", message("Over TLS two"));
        String account = account(
                trusted.host(), trusted.pop3sPort(), "TLS", user, PASSWORD, "DELETE_AFTER_FIRST_DEVICE", null, false);
        String phone = Api.createDevice(subject, account, "phone");

        JsonPath first = sync(account, phone);
        assertThat(first.getInt("pop3.downloaded")).isEqualTo(2);
        Sync.Delta delta = Sync.allChanges(subject, account, phone, null, 100);
        assertThat(delta.createdSubjects).containsExactlyInAnyOrder("Over TLS one", "Over TLS two");
        assertThat(raw(account, delta.created.get(0))).contains("\r\n..a line with a dot");
        ack(account, phone, delta.state);

        JsonPath second = sync(account, phone);
        assertThat(second.getList("pop3.deleted.policy"))
                .containsExactly("DELETE_AFTER_FIRST_DEVICE", "DELETE_AFTER_FIRST_DEVICE");
        assertThat(trusted.uids(user, "INBOX"))
                .as("DELE + QUIT over TLS removed them")
                .isEmpty();
        assertThat(sync(account, phone).getInt("pop3.confirmedDeleted")).isEqualTo(2);

        assertThat(pop3Logins(trusted, user, 3))
                .as("every POP3 session went over TLS")
                .hasSize(3)
                .allSatisfy(l -> assertThat(l).contains(", TLS"));
    }

    @Test
    void stlsUpgradesThePlainPortBeforeLogin() {
        String user = newUser(trusted);
        trusted.appendMessage(user, "INBOX", message("After STLS"));
        String account = account(trusted.host(), trusted.pop3Port(), "STARTTLS", user, PASSWORD, "KEEP", null, false);
        String phone = Api.createDevice(subject, account, "phone");

        assertThat(sync(account, phone).getInt("pop3.downloaded")).isEqualTo(1);
        Sync.Delta delta = Sync.allChanges(subject, account, phone, null, 100);
        assertThat(delta.createdSubjects).containsExactly("After STLS");
        assertThat(message(account, delta.created.get(0)).getString("subject")).isEqualTo("After STLS");
        assertThat(trusted.uids(user, "INBOX")).as("KEEP leaves it").hasSize(1);

        assertThat(pop3Logins(trusted, user, 1))
                .as("the login came after STLS")
                .singleElement()
                .satisfies(l -> assertThat(l).contains(", TLS"));
    }

    @Test
    void aCertificateFromAnUntrustedCaFailsWithTlsFailedAndDownloadsNothing() {
        for (String security : List.of("TLS", "STARTTLS")) {
            String user = newUser(untrusted);
            untrusted.appendMessage(user, "INBOX", message("Never fetched"));
            int port = security.equals("TLS") ? untrusted.pop3sPort() : untrusted.pop3Port();
            String account =
                    account(untrusted.host(), port, security, user, PASSWORD, "DELETE_AFTER_FIRST_DEVICE", null, false);

            assertRefusedAndNothingDownloaded(account, security, "PKIX path building failed");
            assertThat(untrusted.uids(user, "INBOX")).hasSize(1);
            assertThat(pop3Logins(untrusted, user))
                    .as("%s: the password never went to the untrusted server", security)
                    .isEmpty();
        }
    }

    @Test
    void aTrustedCertificateThatDoesNotNameTheHostFailsWithTlsFailedAndDownloadsNothing() {
        for (String security : List.of("TLS", "STARTTLS")) {
            String user = newUser(trusted);
            trusted.appendMessage(user, "INBOX", message("Wrong name"));
            int port = security.equals("TLS") ? trusted.pop3sPort() : trusted.pop3Port();
            // The same server under a name its certificate (IP:127.0.0.1 only) does not carry.
            String account =
                    account("localhost", port, security, user, PASSWORD, "DELETE_AFTER_FIRST_DEVICE", null, false);

            assertRefusedAndNothingDownloaded(account, security, "localhost");
            assertThat(trusted.uids(user, "INBOX")).hasSize(1);
            assertThat(pop3Logins(trusted, user)).as("%s: no login", security).isEmpty();
        }
    }

    @Test
    void theTrustStoreServesImapToo() {
        String user = newUser(trusted);
        for (Object[] endpoint : new Object[][] {{"TLS", trusted.imapsPort()}, {"STARTTLS", trusted.imapPort()}}) {
            String account = Api.createAccount(
                    subject,
                    Map.of(
                            "protocol",
                            "IMAP",
                            "host",
                            trusted.host(),
                            "port",
                            endpoint[1],
                            "security",
                            endpoint[0],
                            "username",
                            user,
                            "password",
                            PASSWORD));
            JsonPath verified = as(subject)
                    .post("/v1/accounts/{a}/verify", account)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(verified.getList("capabilities", String.class))
                    .as("%s", endpoint[0])
                    .contains("IMAP4REV1");
        }
    }

    private void assertRefusedAndNothingDownloaded(String account, String security, String detail) {
        String phone = Api.createDevice(subject, account, "phone");
        JsonPath job = Sync.run(subject, account, phone);
        assertThat(job.getString("status"))
                .as("%s: %s", security, job.prettify())
                .isEqualTo("FAILED");
        assertThat(job.getString("error.code")).as(security).isEqualTo("TLS_FAILED");
        assertThat(job.getString("error.detail")).as(security).contains(detail);
        assertThat(job.getInt("attempts"))
                .as("%s: a TLS failure is not retried", security)
                .isEqualTo(1);
        assertThat(Sync.allChanges(subject, account, phone, null, 100).created)
                .as("%s: nothing downloaded", security)
                .isEmpty();
        assertThat(accountView(account).getString("lastError.code"))
                .as(security)
                .isEqualTo("TLS_FAILED");
    }
}
