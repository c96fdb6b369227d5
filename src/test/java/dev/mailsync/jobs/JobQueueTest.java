package dev.mailsync.jobs;

import static dev.mailsync.support.Api.as;
import static dev.mailsync.support.Api.createAccount;
import static dev.mailsync.support.Api.createDevice;
import static dev.mailsync.support.Api.imapAccount;
import static dev.mailsync.support.Api.newSubject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import dev.mailsync.store.Ids;
import dev.mailsync.store.JobStore;
import dev.mailsync.support.FreePorts;
import dev.mailsync.support.NoWorkers;
import dev.mailsync.support.QueueDb;
import dev.mailsync.sync.StateToken;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The queue with no worker running, so every state can be looked at: joins, replays, cancels, fences. */
@QuarkusTest
@TestProfile(NoWorkers.class)
class JobQueueTest {

    private static final String SEEN = "{\"type\":\"SET_FLAGS\",\"messageId\":\"msg_1\",\"add\":[\"\\\\Seen\"]}";

    @Inject
    JobStore jobs;

    @Inject
    AgroalDataSource dataSource;

    private String owner;
    private String account;
    private String device;

    @BeforeEach
    void fixture() {
        owner = newSubject();
        account = createAccount(owner, imapAccount("127.0.0.1", FreePorts.closed()));
        device = createDevice(owner, account, "phone");
    }

    private io.restassured.response.Response post(String body, String key) {
        var request = as(owner).body(body);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return request.post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device);
    }

    @Test
    void the_same_idempotency_key_answers_the_same_job_and_stores_nothing_twice() {
        String body = "{\"changes\":[" + SEEN + "]}";
        String id = post(body, "k-1")
                .then()
                .statusCode(202)
                .header("Sync-Job-Outcome", "CREATED")
                .extract()
                .path("id");
        post(body, "k-1")
                .then()
                .statusCode(202)
                .header("Sync-Job-Outcome", "REPLAYED")
                .header("Location", org.hamcrest.Matchers.endsWith("/v1/sync-jobs/" + id))
                .body("id", equalTo(id))
                .body("changeCount", equalTo(1));
    }

    @Test
    void an_idempotency_key_reused_with_another_body_is_a_conflict() {
        post("{\"changes\":[" + SEEN + "]}", "k-2").then().statusCode(202);
        post("{\"changes\":[]}", "k-2").then().statusCode(409).body("code", equalTo("CONFLICT"));
    }

    @Test
    void a_request_while_a_job_is_queued_joins_it() {
        String first = post("{\"changes\":[" + SEEN + "]}", null)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        post("{\"changes\":[" + SEEN + "," + SEEN + "]}", "other-key")
                .then()
                .statusCode(202)
                .header("Sync-Job-Outcome", "JOINED")
                .body("id", equalTo(first))
                .body("changeCount", equalTo(3));
        as(owner)
                .get("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .body("items", hasSize(1));
    }

    @Test
    void a_queued_job_is_cancelled_at_once_and_an_ended_one_cannot_be() {
        String id = post("", null).then().statusCode(202).extract().path("id");
        as(owner)
                .delete("/v1/sync-jobs/{id}", id)
                .then()
                .statusCode(200)
                .body("status", equalTo("CANCELLED"))
                .body("error.code", equalTo("CANCELLED"));
        as(owner).delete("/v1/sync-jobs/{id}", id).then().statusCode(409);
        // a new request after the cancel makes a new job
        String next = post("", null).then().statusCode(202).extract().path("id");
        assertThat(next).isNotEqualTo(id);
    }

    @Test
    void cancelling_a_running_job_asks_it_to_stop_at_its_next_safe_point() throws Exception {
        JobStore.Claim claim = claimOwnJob();
        String id = claim.job().id();

        as(owner)
                .delete("/v1/sync-jobs/{id}", id)
                .then()
                .statusCode(202)
                .body("status", equalTo("RUNNING"))
                .body("cancelRequested", equalTo(true));
        // the worker's safe point reads this between folders and ends the job CANCELLED
        assertThat(QuarkusTransaction.requiringNew().call(() -> jobs.cancelRequested(id)))
                .isTrue();
    }

    @Test
    void a_retry_of_a_job_cancelled_while_its_attempt_failed_ends_cancelled_not_queued() throws Exception {
        JobStore.Claim claim = claimOwnJob();
        String id = claim.job().id();
        Instant now = Instant.now();
        as(owner).delete("/v1/sync-jobs/{id}", id).then().statusCode(202);

        // the attempt fails with a retryable error after the cancel request: the worker asks for a retry
        QuarkusTransaction.requiringNew().run(() -> {
            try {
                jobs.finish(
                        claim.job(),
                        claim.leaseToken(),
                        dev.mailsync.sync.JobStatus.QUEUED,
                        null,
                        null,
                        "TIMEOUT",
                        "timed out",
                        now.plusSeconds(5),
                        now);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });

        as(owner)
                .get("/v1/sync-jobs/{id}", id)
                .then()
                .statusCode(200)
                .body("status", equalTo("CANCELLED"))
                .body("finishedAt", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void a_replica_shutting_down_lets_its_leases_go_so_another_continues_at_once() throws Exception {
        String id = post("", null).then().statusCode(202).extract().path("id");
        sql("UPDATE sync_job SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING') AND id <> '" + id + "'");
        Instant now = Instant.now();
        QuarkusTransaction.requiringNew()
                .call(() -> jobs.claim("leaving-replica", now, now.plusSeconds(300)))
                .orElseThrow();
        assertThat(QuarkusTransaction.requiringNew().call(() -> jobs.claim("other-replica", now, now.plusSeconds(30))))
                .as("the lease still runs for minutes")
                .isEmpty();

        assertThat(QuarkusTransaction.requiringNew().call(() -> jobs.releaseAll("leaving-replica")))
                .isEqualTo(1);
        JobStore.Claim next = QuarkusTransaction.requiringNew()
                .call(() -> jobs.claim("other-replica", now, now.plusSeconds(30)))
                .orElseThrow();
        assertThat(next.job().id()).isEqualTo(id);
        assertThat(next.takeover()).isTrue();
    }

    @Test
    void another_owner_cannot_see_or_cancel_a_job() {
        String id = post("", null).then().statusCode(202).extract().path("id");
        as(newSubject()).get("/v1/sync-jobs/{id}", id).then().statusCode(404);
        as(newSubject()).delete("/v1/sync-jobs/{id}", id).then().statusCode(404);
        as(owner).get("/v1/sync-jobs/{id}", id).then().statusCode(200).body("status", equalTo("QUEUED"));
    }

    @Test
    void malformed_changes_are_rejected_with_their_paths_and_queue_nothing() {
        post(
                        "{\"changes\":[{\"type\":\"TELEPORT\"},{\"type\":\"DELETE\"},"
                                + "{\"type\":\"SET_FLAGS\",\"messageId\":\"m\",\"add\":[\"bad flag\"]},"
                                + "{\"type\":\"APPEND\",\"folderId\":\"f\",\"rfc822\":\"%%%\"},"
                                + "{\"type\":\"MOVE\",\"messageId\":\"m\",\"toFolderId\":\"f\",\"newName\":\"x\"}]}",
                        null)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("changes[0].type"))
                .body("errors.field", hasItem("changes[1].messageId"))
                .body("errors.field", hasItem("changes[2].add[0]"))
                .body("errors.field", hasItem("changes[3].rfc822"))
                .body("errors.field", hasItem("changes[4].newName"));
        post("{\"changes\":[{\"type\":\"DELETE\",\"messageId\":\"m\",\"colour\":1}]}", null)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("changes[0].colour"));
        as(owner)
                .body("")
                .header("Idempotency-Key", "x".repeat(300))
                .post("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("Idempotency-Key"));
        as(owner)
                .get("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .body("items", hasSize(0));
    }

    @Test
    void states_of_other_devices_forged_or_ahead_are_409_and_purged_ones_410() {
        String laptop = createDevice(owner, account, "laptop");
        String foreign = new StateToken(laptop, 0).encode();
        as(owner)
                .queryParam("since", foreign)
                .get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(409)
                .body("code", equalTo("INVALID_STATE"));
        as(owner)
                .queryParam("since", "forged")
                .get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(409);
        as(owner)
                .queryParam("since", new StateToken(device, 999).encode())
                .get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(409);
        as(owner)
                .body(Map.of("state", foreign))
                .post("/v1/accounts/{a}/devices/{d}/ack", account, device)
                .then()
                .statusCode(409);

        sql("UPDATE account SET change_seq = 20, purged_seq = 10 WHERE id = '" + account + "'");
        as(owner)
                .queryParam("since", new StateToken(device, 5).encode())
                .get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(410)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:mailsync:problem:state-expired"))
                .body("code", equalTo("STATE_EXPIRED"));
        as(owner)
                .queryParam("since", new StateToken(device, 10).encode())
                .get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(200)
                .body("newState", equalTo(new StateToken(device, 20).encode()));
        as(owner)
                .body(Map.of("state", new StateToken(device, 15).encode()))
                .post("/v1/accounts/{a}/devices/{d}/ack", account, device)
                .then()
                .statusCode(204);
        assertThat(queryLong("SELECT acked_seq FROM device WHERE id = '" + device + "'"))
                .isEqualTo(15);
        as(owner)
                .queryParam("limit", 0)
                .get("/v1/accounts/{a}/devices/{d}/changes", account, device)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("limit"));
    }

    @Test
    void a_device_schedule_enqueues_exactly_once_across_two_replicas() throws Exception {
        as(owner)
                .body(Map.of("syncIntervalSeconds", 60))
                .patch("/v1/accounts/{a}/devices/{d}", account, device)
                .then()
                .statusCode(200);
        Instant later = Instant.now().plusSeconds(1);
        ExecutorService replicas = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        Callable<Integer> tick = () -> {
            start.await();
            return QuarkusTransaction.requiringNew().call(() -> jobs.enqueueDue(later, 5, () -> Ids.next("job")));
        };
        Future<Integer> a = replicas.submit(tick);
        Future<Integer> b = replicas.submit(tick);
        start.countDown();
        replicas.shutdown();
        a.get();
        b.get();
        List<String> triggers = as(owner)
                .get("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .extract()
                .path("items.trigger");
        assertThat(triggers).containsExactly("SCHEDULE");
        // the next tick inside the interval queues nothing new for this device
        QuarkusTransaction.requiringNew().call(() -> jobs.enqueueDue(later.plusSeconds(5), 5, () -> Ids.next("job")));
        as(owner)
                .get("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .body("items", hasSize(1));
    }

    @Test
    void an_account_whose_login_was_refused_is_not_scheduled_until_its_settings_change() throws Exception {
        as(owner).body(Map.of("syncIntervalSeconds", 60)).patch("/v1/accounts/{a}/devices/{d}", account, device);
        QuarkusTransaction.requiringNew().run(() -> {
            try {
                jobs.setAuthBlocked(account, true);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        Instant later = Instant.now().plusSeconds(1);
        QuarkusTransaction.requiringNew().call(() -> jobs.enqueueDue(later, 5, () -> Ids.next("job")));
        as(owner)
                .get("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .body("items", hasSize(0));

        as(owner)
                .body(Map.of("password", "a-new-one"))
                .patch("/v1/accounts/{a}", account)
                .then()
                .statusCode(200);
        QuarkusTransaction.requiringNew().call(() -> jobs.enqueueDue(later, 5, () -> Ids.next("job")));
        as(owner)
                .get("/v1/accounts/{a}/devices/{d}/sync-jobs", account, device)
                .then()
                .body("items", hasSize(1));
    }

    @Test
    void a_worker_whose_lease_was_taken_over_cannot_write() throws Exception {
        post("", null).then().statusCode(202);
        // only this test's job may be claimable (no workers run in this profile; other tests leave jobs)
        sql("UPDATE sync_job SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING') AND account_id <> '"
                + account + "'");
        Instant now = Instant.now();
        JobStore.Claim first = QuarkusTransaction.requiringNew()
                .call(() -> jobs.claim("worker-a", now, now.plusSeconds(30)))
                .orElseThrow();
        // worker-a stalls; its lease runs out and worker-b takes the running job over
        sql("UPDATE account_lease SET expires_at = now() - interval '1 second' WHERE account_id = '" + account + "'");
        JobStore.Claim second = QuarkusTransaction.requiringNew()
                .call(() -> jobs.claim("worker-b", Instant.now(), Instant.now().plusSeconds(30)))
                .orElseThrow();
        assertThat(second.job().id()).isEqualTo(first.job().id());
        assertThat(second.takeover()).isTrue();
        assertThat(second.leaseToken()).isGreaterThan(first.leaseToken());
        assertThat(second.job().attempts()).isEqualTo(2);

        // every write of the job's first locks the lease row and checks its token (the mirror's writes too:
        // MirrorStoreTest): the old one is refused
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> JobStore.fence(c, account, first.leaseToken()))
                    .isInstanceOf(JobStore.StaleLeaseException.class);
            JobStore.fence(c, account, second.leaseToken());
            c.rollback();
        }
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
                    try {
                        jobs.finish(
                                first.job(),
                                first.leaseToken(),
                                dev.mailsync.sync.JobStatus.SUCCEEDED,
                                "[]",
                                0L,
                                null,
                                null,
                                null,
                                Instant.now());
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }))
                .isInstanceOf(JobStore.StaleLeaseException.class);
        as(owner).get("/v1/sync-jobs/{id}", first.job().id()).then().body("status", equalTo("RUNNING"));
    }

    @Test
    void a_heartbeat_never_waits_for_the_jobs_own_fenced_write_and_sees_a_takeover() throws Exception {
        JobStore.Claim claim = claimOwnJob();
        Instant later = Instant.now().plusSeconds(300);
        // A chunk of summaries being written: the fence holds the lease row locked until its commit.
        try (Connection writing = dataSource.getConnection()) {
            writing.setAutoCommit(false);
            JobStore.fence(writing, account, claim.leaseToken());
            ExecutorService beat = Executors.newSingleThreadExecutor();
            try {
                Future<JobStore.Renewal> renewal = beat.submit(() -> QuarkusTransaction.requiringNew()
                        .call(() -> jobs.heartbeat(account, "worker-a", claim.leaseToken(), later)));
                assertThat(renewal.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("a heartbeat while the job's own write holds the lease row")
                        .isEqualTo(JobStore.Renewal.BUSY);
            } finally {
                beat.shutdownNow();
                writing.rollback();
            }
        }
        assertThat(QuarkusTransaction.requiringNew()
                        .call(() -> jobs.heartbeat(account, "worker-a", claim.leaseToken(), later)))
                .isEqualTo(JobStore.Renewal.RENEWED);
        assertThat(queryLong(
                        "SELECT floor(extract(epoch FROM expires_at))::bigint FROM account_lease WHERE account_id = '"
                                + account + "'"))
                .isEqualTo(later.getEpochSecond());

        // the lease runs out and another worker takes the job over: the old worker's next beat says so
        sql("UPDATE account_lease SET expires_at = now() - interval '1 second' WHERE account_id = '" + account + "'");
        QuarkusTransaction.requiringNew()
                .call(() -> jobs.claim("worker-b", Instant.now(), Instant.now().plusSeconds(30)))
                .orElseThrow();
        assertThat(QuarkusTransaction.requiringNew()
                        .call(() -> jobs.heartbeat(account, "worker-a", claim.leaseToken(), later)))
                .isEqualTo(JobStore.Renewal.LOST);
    }

    /** POSTs a sync job for this test's device and claims it as "worker-a", the only job claimable. */
    private JobStore.Claim claimOwnJob() {
        String id = post("", null).then().statusCode(202).extract().path("id");
        return db().claimOnly(id);
    }

    private QueueDb db() {
        return new QueueDb(dataSource, jobs);
    }

    private void sql(String statement) {
        db().sql(statement);
    }

    private long queryLong(String query) {
        return db().queryLong(query);
    }
}
