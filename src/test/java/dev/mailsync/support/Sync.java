package dev.mailsync.support;

import static dev.mailsync.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Drives syncs through the public API, the way a device does. */
public final class Sync {
    private Sync() {}

    /** Schedules a sync and waits until it ends; returns the final job. */
    public static JsonPath run(String subject, String account, String device) {
        String jobId = as(subject)
                .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        return await(subject, jobId, Duration.ofSeconds(60));
    }

    /** Schedules a sync carrying the device's changes ({@code body}: the JSON request) and waits for its end. */
    public static JsonPath runWith(String subject, String account, String device, String body) {
        String jobId = as(subject)
                .body(body)
                .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        return await(subject, jobId, Duration.ofSeconds(60));
    }

    /** Runs a sync that must succeed; returns the job's state token. */
    public static String succeed(String subject, String account, String device) {
        JsonPath job = run(subject, account, device);
        assertThat(job.getString("status"))
                .as("job %s: %s", job.getString("id"), job.prettify())
                .isEqualTo("SUCCEEDED");
        return job.getString("state");
    }

    /** Waits until the job ends (any status but QUEUED and RUNNING); returns it. */
    public static JsonPath await(String subject, String jobId, Duration timeout) {
        AtomicReference<JsonPath> last = new AtomicReference<>();
        try {
            Awaitility.await("job " + jobId + " to end")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        JsonPath job = as(subject)
                                .get("/v1/sync-jobs/{id}", jobId)
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath();
                        last.set(job);
                        String status = job.getString("status");
                        return !status.equals("QUEUED") && !status.equals("RUNNING");
                    });
        } catch (ConditionTimeoutException e) {
            JsonPath job = last.get();
            throw new AssertionError(
                    "job " + jobId + " did not end within " + timeout + "; last seen: "
                            + (job == null ? "never read" : job.prettify()),
                    e);
        }
        return last.get();
    }

    /** One delta page. */
    public static JsonPath changes(String subject, String account, String device, String since, int limit) {
        var request = as(subject).queryParam("limit", limit);
        if (since != null) {
            request = request.queryParam("since", since);
        }
        return request.get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** Every page from {@code since} until hasMore is false. */
    public static Delta allChanges(String subject, String account, String device, String since, int limit) {
        Delta all = new Delta();
        String state = since;
        for (int page = 0; page < 10_000; page++) {
            JsonPath p = changes(subject, account, device, state, limit);
            all.created.addAll(p.getList("messages.created.id", String.class));
            all.createdSubjects.addAll(p.getList("messages.created.subject", String.class));
            all.updated.addAll(p.getList("messages.updated", Map.class));
            all.destroyed.addAll(p.getList("messages.destroyed", String.class));
            all.foldersCreated.addAll(p.getList("folders.created.name", String.class));
            all.foldersUpdated.addAll(p.getList("folders.updated.name", String.class));
            all.foldersDestroyed.addAll(p.getList("folders.destroyed", String.class));
            all.pages++;
            state = p.getString("newState");
            if (!p.getBoolean("hasMore")) {
                all.state = state;
                return all;
            }
        }
        throw new AssertionError("changes never ended");
    }

    /** What a device collected over several pages. */
    public static final class Delta {
        public final List<String> created = new ArrayList<>();
        public final List<String> createdSubjects = new ArrayList<>();

        @SuppressWarnings("rawtypes")
        public final List<Map> updated = new ArrayList<>();

        public final List<String> destroyed = new ArrayList<>();
        public final List<String> foldersCreated = new ArrayList<>();
        public final List<String> foldersUpdated = new ArrayList<>();
        public final List<String> foldersDestroyed = new ArrayList<>();
        public int pages;
        public String state;
    }
}
