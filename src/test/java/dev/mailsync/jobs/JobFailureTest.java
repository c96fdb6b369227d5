package dev.mailsync.jobs;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.support.Sync;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Failures with workers running: retries with backoff, no retry loop on a refused login, metrics. */
@QuarkusTest
class JobFailureTest {

    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withPerMethodLifecycle(false);

    @Test
    void an_unreachable_server_is_retried_with_growing_delays_and_can_be_cancelled() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String owner = newSubject();
        String account = createAccount(owner, imapAccount("127.0.0.1", closed));
        String device = createDevice(owner, account, "phone");
        String id = as(owner)
                .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .statusCode(202)
                .extract()
                .path("id");

        // Waiting between attempts (QUEUED) after the second or a later one: the delay grows with each.
        JsonPath retrying = awaitRetry(owner, id, 2);
        assertThat(retrying.getString("error.code")).isEqualTo("HOST_UNREACHABLE");
        int attempts = retrying.getInt("attempts");
        Instant next = Instant.parse(retrying.getString("nextAttemptAt"));
        Instant started = Instant.parse(retrying.getString("startedAt"));
        // base 1 s in the test profile: after attempt n the delay is 2^(n-1) s ±20 %, counted from the failure;
        // from the attempt's start it is that plus the attempt's own time (a refused connect, two writes).
        long expected = 1000L << (attempts - 1);
        assertThat(Duration.between(started, next))
                .as("from the start of attempt %d to the next attempt", attempts)
                .isBetween(Duration.ofMillis(expected * 8 / 10), Duration.ofMillis(expected * 12 / 10 + 3000));
        as(owner).get("/v1/accounts/{a}", account).then().body("lastError.code", equalTo("HOST_UNREACHABLE"));

        // Cancelled while waiting (200, CANCELLED at once) or, if the next attempt has just begun, at its next
        // safe point (202): either way it ends CANCELLED.
        int cancel = as(owner).delete("/v1/sync-jobs/{id}", id).then().extract().statusCode();
        assertThat(cancel).as("DELETE of a retrying job").isIn(200, 202);
        JsonPath ended = Sync.await(owner, id, Duration.ofSeconds(30));
        assertThat(ended.getString("status")).as("job %s", ended.prettify()).isEqualTo("CANCELLED");
    }

    @Test
    void a_refused_login_fails_at_once_without_retries_and_records_the_error() {
        greenMail.setUser("locked@example.test", "locked", "the-right-one");
        String owner = newSubject();
        String account = createAccount(
                owner,
                Map.of(
                        "protocol", "IMAP",
                        "host", "127.0.0.1",
                        "port", greenMail.getImap().getPort(),
                        "security", "NONE",
                        "username", "locked",
                        "password", "a-wrong-one"));
        String device = createDevice(owner, account, "phone");

        JsonPath job = Sync.run(owner, account, device);
        assertThat(job.getString("status")).isEqualTo("FAILED");
        assertThat(job.getInt("attempts")).isEqualTo(1);
        assertThat(job.getString("error.code")).isEqualTo("AUTH_FAILED");
        assertThat(job.getString("error.type")).isEqualTo("urn:mailsync:problem:auth-failed");
        assertThat(job.getString("error.detail")).doesNotContain("a-wrong-one");
        as(owner).get("/v1/accounts/{a}", account).then().body("lastError.code", equalTo("AUTH_FAILED"));

        as(owner)
                .body(Map.of("password", "the-right-one"))
                .patch("/v1/accounts/{a}", account)
                .then()
                .statusCode(200);
        assertThat(Sync.run(owner, account, device).getString("status")).isEqualTo("SUCCEEDED");
    }

    @Test
    void metrics_show_queue_depth_durations_and_failures() {
        a_refused_login_fails_at_once_without_retries_and_records_the_error();
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("mailsync_sync_job_duration_seconds_count{outcome=\"succeeded\""))
                .body(containsString("mailsync_sync_job_failures_total{code=\"AUTH_FAILED\""))
                .body(containsString("mailsync_sync_jobs{status=\"QUEUED\""))
                .body(containsString("mailsync_db_transaction_seconds_count"));
    }

    /** The job as soon as it waits for a retry after at least {@code attempts} attempts. */
    private static JsonPath awaitRetry(String owner, String id, int attempts) {
        AtomicReference<JsonPath> last = new AtomicReference<>();
        await("job " + id + " waiting for a retry after " + attempts + " or more attempts")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .failFast(
                        "the job ended instead",
                        () -> last.get() != null
                                && !List.of("QUEUED", "RUNNING")
                                        .contains(last.get().getString("status")))
                .until(
                        () -> {
                            JsonPath job = as(owner)
                                    .get("/v1/sync-jobs/{id}", id)
                                    .then()
                                    .statusCode(200)
                                    .extract()
                                    .jsonPath();
                            last.set(job);
                            return job;
                        },
                        job -> job.getInt("attempts") >= attempts
                                && job.getString("status").equals("QUEUED"));
        return last.get();
    }
}
