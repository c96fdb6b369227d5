package dev.mailsync.jobs;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.Map;
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

        JsonPath afterTwo = awaitAttempts(owner, id, 2);
        assertThat(afterTwo.getString("status")).isEqualTo("QUEUED");
        assertThat(afterTwo.getString("error.code")).isEqualTo("HOST_UNREACHABLE");
        Instant next = Instant.parse(afterTwo.getString("nextAttemptAt"));
        Instant started = Instant.parse(afterTwo.getString("startedAt"));
        // base 1 s in the test profile: after the second attempt the delay is about 2 s (±20 %)
        assertThat(Duration.between(started, next)).isBetween(Duration.ofMillis(1500), Duration.ofMillis(3000));
        as(owner).get("/v1/accounts/{a}", account).then().body("lastError.code", equalTo("HOST_UNREACHABLE"));

        as(owner).delete("/v1/sync-jobs/{id}", id).then().statusCode(200).body("status", equalTo("CANCELLED"));
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

    private static JsonPath awaitAttempts(String owner, String id, int attempts) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath job =
                    as(owner).get("/v1/sync-jobs/{id}", id).then().extract().jsonPath();
            if (job.getInt("attempts") >= attempts && job.getString("status").equals("QUEUED")) {
                return job;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " did not reach " + attempts + " attempts");
    }
}
