package dev.mailsync.jobs.pop3;

import static dev.mailsync.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import dev.mailsync.testsupport.Dovecot;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The POP3 flows on a real Dovecot (RFC 1939: DELE counts only after QUIT), plus what only a real server
 * shows: a connection cut between DELE and QUIT deletes nothing, and a maildrop locked by another
 * session ({@code [IN-USE]}).
 */
@QuarkusTest
class DovecotPop3FlowTest extends Pop3FlowContract {
    private static Dovecot dovecot;

    @BeforeAll
    static void startDovecot() {
        dovecot = Dovecot.start(Dovecot.options().pop3LockSession(true));
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Override
    protected Mailbox newMailbox(String user, String password) {
        dovecot.putUser(user, password);
        return new Mailbox() {
            @Override
            public String host() {
                return dovecot.host();
            }

            @Override
            public int port() {
                return dovecot.pop3Port();
            }

            @Override
            public String user() {
                return user;
            }

            @Override
            public String password() {
                return password;
            }

            @Override
            public void deliver(byte[] rfc822) {
                dovecot.appendMessage(user, "INBOX", rfc822);
            }

            @Override
            public int count() {
                return dovecot.uids(user, "INBOX").size();
            }
        };
    }

    @Test
    void aConnectionCutBetweenDeleAndQuitDeletesNothingAndTheRetryCompletesTheDeletion() throws Exception {
        Mailbox box = mailbox();
        box.deliver(message("Cut"));
        try (QuitCuttingProxy proxy = new QuitCuttingProxy(dovecot.pop3Port())) {
            String account = account(dovecot.host(), proxy.port(), box, "DELETE_AFTER_FIRST_DEVICE", null, false);
            String phone = Api.createDevice(subject, account, "phone");
            sync(account, phone);
            Sync.Delta delta = Sync.allChanges(subject, account, phone, null, 100);
            ack(account, phone, delta.state);

            proxy.arm(true);
            String jobId = as(subject)
                    .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, phone)
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            await("the sync's first attempt to reach QUIT (where the proxy cuts it)")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> proxy.cuts() > 0);
            assertThat(proxy.commands()).contains("DELE 1");
            assertThat(box.count()).as("DELE without QUIT deleted nothing").isEqualTo(1);
            proxy.arm(false);

            JsonPath job = Sync.await(subject, jobId, Duration.ofSeconds(60));
            assertThat(job.getString("status")).as(job.prettify()).isEqualTo("SUCCEEDED");
            assertThat(job.getInt("attempts")).isGreaterThanOrEqualTo(2);
            assertThat(job.getList("pop3.deleted.policy")).containsExactly("DELETE_AFTER_FIRST_DEVICE");
            assertThat(box.count()).isZero();
            assertThat(sync(account, phone).getInt("pop3.confirmedDeleted")).isEqualTo(1);
            assertThat(message(account, delta.created.get(0)).getString("subject"))
                    .isEqualTo("Cut");
        }
    }

    @Test
    void aMaildropLockedByAnotherSessionFailsTheAttemptClearlyAndLosesNothing() throws Exception {
        Mailbox box = mailbox();
        box.deliver(message("Locked"));
        String account = account(box, "DELETE_AFTER_FIRST_DEVICE", false);
        String phone = Api.createDevice(subject, account, "phone");
        JsonPath job;
        try (Socket other = new Socket(dovecot.host(), dovecot.pop3Port())) {
            other.setSoTimeout(5_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = other.getOutputStream();
            assertThat(in.readLine()).startsWith("+OK");
            out.write(("USER " + box.user() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("+OK");
            out.write(("PASS " + box.password() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("+OK");

            String jobId = as(subject)
                    .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, phone)
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            job = await("job " + jobId + " to record the failure of its first attempt")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> as(subject)
                                    .get("/v1/sync-jobs/{id}", jobId)
                                    .then()
                                    .statusCode(200)
                                    .extract()
                                    .jsonPath(),
                            j -> j.getString("error.code") != null);
            assertThat(job.getString("error.code")).as(job.prettify()).isEqualTo("PROTOCOL_ERROR");
            assertThat(job.getString("error.detail")).contains("[IN-USE]");
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            in.readLine();
        }
        // The lock is gone: the retry downloads the message.
        JsonPath done = Sync.await(subject, job.getString("id"), Duration.ofSeconds(60));
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(done.getInt("pop3.downloaded")).isEqualTo(1);
        assertThat(box.count()).isEqualTo(1);
    }
}
