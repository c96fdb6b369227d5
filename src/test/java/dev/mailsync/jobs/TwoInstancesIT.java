package dev.mailsync.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.mailsync.it.AppInstance;
import dev.mailsync.it.ImapAppender;
import dev.mailsync.it.ItClient;
import dev.mailsync.it.ItDatabase;
import dev.mailsync.store.JobStore;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.TestMessages;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.TestAbortedException;

/**
 * Two replicas of the packaged application (separate JVMs, {@code target/quarkus-app/quarkus-run.jar})
 * sharing one PostgreSQL and one Dovecot: jobs are shared out and run once, a replica killed with
 * SIGKILL in the middle of a job has it taken over by the other after the lease expires, and a stale
 * fencing token is refused. Needs {@code QUARKUS_DATASOURCE_JDBC_URL} (skipped without it) and Dovecot
 * (skipped without it unless {@code MAILSYNC_REQUIRE_DOVECOT=true}). Each test owns its JWT subject and
 * asserts on its own rows only. The kill test runs last: it leaves one replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoInstancesIT {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Short, so the kill test's takeover comes soon, but three heartbeats long (a beat every third of it):
     * a replica starved of CPU for a moment on a loaded machine must not lose its jobs to the other one.
     */
    private static final Duration LEASE = Duration.ofSeconds(10);

    private static final Pattern SUCCEEDED = Pattern.compile("job (\\S+) succeeded");
    private static final String PASSWORD = "It-Imap-Password-1!";
    private static final int ACCOUNTS = 50;
    private static final int MESSAGES_PER_ACCOUNT = 3;
    private static final int BULK_MESSAGES = 1500;
    private static final String FENCE_USER = "it-fence";
    private static final String BULK_USER = "it-bulk";

    private static ItDatabase database;
    private static Dovecot dovecot;
    private static ItClient client;
    private static final List<AppInstance> instances = new ArrayList<>();

    @BeforeAll
    static void startEverything() {
        try {
            database = ItDatabase.fromEnvironment();
            dovecot = Dovecot.start(dovecotOptions());
        } catch (TestAbortedException e) {
            // Surefire/failsafe report a class aborted in @BeforeAll as "Tests run: 0": say why.
            System.err.println("TwoInstancesIT skipped: " + e.getMessage());
            throw e;
        }
        client = ItClient.signingWith(Path.of("src/test/resources/test-jwt/jwt-test-private.pem"));

        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.datasource.jdbc.url", database.url());
        properties.put("quarkus.datasource.username", database.username());
        properties.put("quarkus.datasource.password", database.password());
        properties.put(
                "mp.jwt.verify.publickey.location",
                Path.of("src/test/resources/test-jwt/jwt-test-public.pem")
                        .toAbsolutePath()
                        .toString());
        properties.put("mp.jwt.verify.issuer", ItClient.ISSUER);
        properties.put("mailsync.credentials.active-key-id", "it");
        properties.put("mailsync.credentials.keys.it", Base64.getEncoder().encodeToString(key));
        // A shared database (no private one could be made) holds passwords sealed with the test key.
        properties.put("mailsync.credentials.allow-missing-keys", String.valueOf(!database.isPrivate()));
        properties.put("mailsync.outbound.allow-private", "true");
        properties.put("mailsync.outbound.allow-plaintext", "true");
        properties.put("mailsync.jobs.workers", "2");
        properties.put("mailsync.jobs.lease-duration", LEASE.toSeconds() + "s");
        properties.put("mailsync.jobs.poll-interval", "200ms");
        properties.put("mailsync.sync.summary-chunk", "25");
        properties.put("quarkus.log.console.json.enabled", "false");
        long launched = System.nanoTime();
        for (int n = 1; n <= 2; n++) {
            instances.add(
                    AppInstance.launch("instance-" + n, Path.of("target", "it-instance-" + n + ".log"), properties));
        }
        for (AppInstance instance : instances) {
            instance.awaitReady(READY_TIMEOUT);
        }
        report("started %s and %s on %s", launched, instances.get(0), instances.get(1), database);
    }

    private static Dovecot.Options dovecotOptions() {
        Dovecot.Options options =
                Dovecot.options().quota(null).user(FENCE_USER, PASSWORD).user(BULK_USER, PASSWORD);
        for (int i = 0; i < ACCOUNTS; i++) {
            options.user(mailUser(i), PASSWORD);
        }
        return options;
    }

    @AfterAll
    static void stopEverything() {
        for (AppInstance instance : instances) {
            if (instance.isAlive()) {
                instance.kill();
            }
        }
        instances.clear();
        if (dovecot != null) {
            dovecot.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(60)
    void a_stale_fencing_token_cannot_write() throws SQLException {
        String subject = newSubject();
        String accountId = client.createImapAccount(
                subject, instances.get(0), dovecot.host(), dovecot.imapPort(), FENCE_USER, PASSWORD);
        try (Connection c = database.connect()) {
            // Holder "old" got token 7, then stalled; its lease expired and "new" took over with token 8.
            update(
                    c,
                    "INSERT INTO account_lease (account_id, holder, token, expires_at)"
                            + " VALUES (?, 'it-old-holder', 7, now() - interval '1 minute')",
                    accountId);
            assertThat(update(
                            c,
                            "UPDATE account_lease SET holder = 'it-new-holder', token = token + 1,"
                                    + " expires_at = now() + interval '1 minute'"
                                    + " WHERE account_id = ? AND expires_at <= now()",
                            accountId))
                    .isEqualTo(1);
        }

        try (Connection stale = database.connect()) {
            stale.setAutoCommit(false);
            assertThatThrownBy(() -> JobStore.fence(stale, accountId, 7))
                    .isInstanceOf(JobStore.StaleLeaseException.class)
                    .hasMessageContaining("token 7");
            stale.rollback();
        }

        try (Connection current = database.connect();
                Connection other = database.connect()) {
            current.setAutoCommit(false);
            JobStore.fence(current, accountId, 8);
            // The check holds the lease row until the holder's transaction ends: no takeover can slip in.
            other.setAutoCommit(false);
            assertThatThrownBy(() -> lockLeaseNoWait(other, accountId))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
            other.rollback();
            current.commit();
            lockLeaseNoWait(other, accountId);
            other.rollback();
        }
    }

    @Test
    @Order(2)
    @Timeout(150)
    void jobs_for_50_accounts_are_each_executed_exactly_once() throws SQLException {
        String subject = newSubject();
        long started = System.nanoTime();
        inParallel(ACCOUNTS, i -> {
            List<byte[]> messages = new ArrayList<>();
            for (int m = 0; m < MESSAGES_PER_ACCOUNT; m++) {
                messages.add(TestMessages.simple("account " + i + " message " + m));
            }
            ImapAppender.append(dovecot.host(), dovecot.imapPort(), mailUser(i), PASSWORD, "INBOX", messages);
            return null;
        });
        report("filled %d mailboxes", started, ACCOUNTS);
        started = System.nanoTime();
        List<String[]> made = inParallel(ACCOUNTS, i -> {
            AppInstance via = instances.get(i % 2);
            String accountId =
                    client.createImapAccount(subject, via, dovecot.host(), dovecot.imapPort(), mailUser(i), PASSWORD);
            return new String[] {accountId, client.createDevice(subject, via, accountId, "phone " + i)};
        });
        List<String> accountIds = made.stream().map(m -> m[0]).toList();
        List<String> deviceIds = made.stream().map(m -> m[1]).toList();
        report("created %d accounts and devices", started, ACCOUNTS);
        started = System.nanoTime();
        List<String> jobIds = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            jobIds.add(client.requestSync(subject, instances.get(i % 2), accountIds.get(i), deviceIds.get(i)));
        }

        Map<String, JsonPath> finished = awaitFinal(subject, jobIds, Duration.ofSeconds(90));
        report("%d jobs final", started, ACCOUNTS);
        for (String jobId : jobIds) {
            JsonPath job = finished.get(jobId);
            assertThat(job.getString("status"))
                    .as("job %s: %s", jobId, job.prettify())
                    .isEqualTo("SUCCEEDED");
            assertThat(job.getInt("attempts")).as("attempts of job %s", jobId).isEqualTo(1);
        }

        // Each job ran on exactly one replica (its "job <id> succeeded" line is in one log, once), and
        // both replicas did some of the work.
        Map<AppInstance, List<String>> succeededIn = awaitSucceededLines(jobIds, Duration.ofSeconds(10));
        for (String jobId : jobIds) {
            int lines = 0;
            for (List<String> ids : succeededIn.values()) {
                lines += (int) ids.stream().filter(jobId::equals).count();
            }
            assertThat(lines).as("'job %s succeeded' lines in both logs", jobId).isEqualTo(1);
        }
        for (AppInstance instance : instances) {
            List<String> mine =
                    succeededIn.get(instance).stream().filter(jobIds::contains).toList();
            assertThat(mine).as("jobs run by %s (%s)", instance, instance.log()).isNotEmpty();
        }

        try (Connection c = database.connect()) {
            for (String accountId : accountIds) {
                assertThat(count(c, "SELECT count(*) FROM mirror_message WHERE account_id = ?", accountId))
                        .as("mirror rows of account %s", accountId)
                        .isEqualTo(MESSAGES_PER_ACCOUNT);
                assertThat(count(
                                c,
                                "SELECT count(*) FROM mirror_message WHERE account_id = ? AND destroyed_seq IS NULL",
                                accountId))
                        .as("live mirror messages of account %s", accountId)
                        .isEqualTo(MESSAGES_PER_ACCOUNT);
            }
        }
        for (int i = 0; i < ACCOUNTS; i++) {
            List<String> created = client.createdMessageIds(
                    subject, instances.get((i + 1) % 2), accountIds.get(i), deviceIds.get(i), 1000);
            assertThat(created)
                    .as("created messages of device %s", deviceIds.get(i))
                    .hasSize(MESSAGES_PER_ACCOUNT)
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    @Order(3)
    @Timeout(150)
    void killing_an_instance_mid_job_lets_the_other_finish_it_without_loss_or_duplicates() throws SQLException {
        String subject = newSubject();
        List<byte[]> messages = new ArrayList<>(BULK_MESSAGES);
        for (int m = 0; m < BULK_MESSAGES; m++) {
            messages.add(TestMessages.simple("bulk message " + m));
        }
        long appendStarted = System.nanoTime();
        ImapAppender.append(dovecot.host(), dovecot.imapPort(), BULK_USER, PASSWORD, "INBOX", messages);
        report("appended %d messages", appendStarted, BULK_MESSAGES);

        AppInstance first = instances.get(0);
        String accountId =
                client.createImapAccount(subject, first, dovecot.host(), dovecot.imapPort(), BULK_USER, PASSWORD);
        String deviceId = client.createDevice(subject, first, accountId, "bulk phone");
        String jobId = client.requestSync(subject, first, accountId, deviceId);

        Map<String, AppInstance> byWorkerId = new LinkedHashMap<>();
        for (AppInstance instance : instances) {
            byWorkerId.put(instance.workerId(), instance);
        }
        AppInstance victim;
        long inMirrorAtKill;
        try (Connection c = database.connect()) {
            String worker = awaitRunningWorker(c, jobId, Duration.ofSeconds(30));
            victim = byWorkerId.get(worker);
            assertThat(victim)
                    .as("the worker %s running job %s is one of %s", worker, jobId, byWorkerId.keySet())
                    .isNotNull();
            awaitMidJob(c, jobId, accountId, Duration.ofSeconds(30));
            victim.kill();
            inMirrorAtKill = count(c, "SELECT count(*) FROM mirror_message WHERE account_id = ?", accountId);
        }
        long killedAt = System.nanoTime();
        AppInstance survivor = instances.get(instances.indexOf(victim) == 0 ? 1 : 0);
        System.out.printf(
                "TwoInstancesIT: killed %s running job %s with %d of %d messages in the mirror%n",
                victim, jobId, inMirrorAtKill, BULK_MESSAGES);
        assertThat(inMirrorAtKill)
                .as("messages in the mirror when %s was killed (the job must have been half done)", victim)
                .isBetween(1L, BULK_MESSAGES - 1L);

        JsonPath job = awaitFinal(subject, survivor, jobId, Duration.ofSeconds(60));
        report("job %s %s after the kill", killedAt, jobId, job.getString("status"));
        assertThat(job.getString("status"))
                .as("job %s: %s", jobId, job.prettify())
                .isEqualTo("SUCCEEDED");
        assertThat(job.getInt("attempts")).as("attempts of job %s", jobId).isEqualTo(2);
        String survivorLog = survivor.logText();
        assertThat(survivorLog)
                .as("%s shows the takeover\n%s", survivor, survivor.tail(30))
                .contains("job " + jobId + " taken over");
        assertThat(succeededLines(survivorLog)).as("%s finished it", survivor).containsOnlyOnce(jobId);
        assertThat(succeededLines(victim.logText()))
                .as("%s never finished it", victim)
                .doesNotContain(jobId);

        try (Connection c = database.connect()) {
            assertThat(count(c, "SELECT count(*) FROM mirror_message WHERE account_id = ?", accountId))
                    .as("mirror rows of the account, tombstones included")
                    .isEqualTo(BULK_MESSAGES);
            assertThat(count(
                            c,
                            "SELECT count(*) FROM mirror_message WHERE account_id = ? AND destroyed_seq IS NULL",
                            accountId))
                    .as("live mirror messages")
                    .isEqualTo(BULK_MESSAGES);
            assertThat(count(c, "SELECT count(DISTINCT uid) FROM mirror_message WHERE account_id = ?", accountId))
                    .as("distinct UIDs in the mirror")
                    .isEqualTo(BULK_MESSAGES);
            assertThat(count(c, "SELECT lease_token FROM sync_job WHERE id = ?", jobId))
                    .as("fencing token of the second attempt")
                    .isEqualTo(2);
        }
        List<String> created = client.createdMessageIds(subject, survivor, accountId, deviceId, 1000);
        assertThat(created).as("created messages of the device").doesNotHaveDuplicates();
        assertThat(new HashSet<>(created)).hasSize(BULK_MESSAGES);
    }

    // ---------------------------------------------------------------------------------------------

    private static void report(String what, long startedNanos, Object... args) {
        System.out.printf(
                "TwoInstancesIT: %s in %d ms%n",
                what.formatted(args),
                Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
    }

    /** Runs task(0 .. count-1) on a few threads; returns the results in order. */
    private static <T> List<T> inParallel(int count, IntFunction<T> task) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> task.apply(n)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static String newSubject() {
        return "it-user-" + UUID.randomUUID();
    }

    private static String mailUser(int i) {
        return "it-mailbox-" + i;
    }

    /** Polls every pending job (through the replica that did not take the request) until all are final. */
    private static Map<String, JsonPath> awaitFinal(String subject, List<String> jobIds, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, JsonPath> done = new LinkedHashMap<>();
        int round = 0;
        while (true) {
            for (String jobId : jobIds) {
                if (!done.containsKey(jobId)) {
                    JsonPath job = client.job(subject, instances.get(round % 2), jobId);
                    if (isFinal(job)) {
                        done.put(jobId, job);
                    }
                }
            }
            if (done.size() == jobIds.size()) {
                return done;
            }
            if (System.nanoTime() > deadline) {
                List<String> pending = new ArrayList<>(jobIds);
                pending.removeAll(done.keySet());
                return fail("%d of %d jobs not final after %s: %s", pending.size(), jobIds.size(), timeout, pending);
            }
            round++;
            sleep(200);
        }
    }

    private static JsonPath awaitFinal(String subject, AppInstance instance, String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonPath job = client.job(subject, instance, jobId);
            if (isFinal(job)) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                return fail(
                        "job %s still %s after %s: %s%n%s",
                        jobId, job.getString("status"), timeout, job.prettify(), instance.tail(40));
            }
            sleep(200);
        }
    }

    private static boolean isFinal(JsonPath job) {
        String status = job.getString("status");
        return !status.equals("QUEUED") && !status.equals("RUNNING");
    }

    /** Waits until the job is RUNNING with a worker; returns that worker's id. */
    private static String awaitRunningWorker(Connection c, String jobId, Duration timeout) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (PreparedStatement s = c.prepareStatement("SELECT status, worker FROM sync_job WHERE id = ?")) {
                s.setString(1, jobId);
                try (ResultSet r = s.executeQuery()) {
                    assertThat(r.next()).as("job %s exists", jobId).isTrue();
                    String status = r.getString(1);
                    if (status.equals("RUNNING") && r.getString(2) != null) {
                        return r.getString(2);
                    }
                    if (!status.equals("QUEUED")) {
                        return fail("job %s is %s before it was seen running", jobId, status);
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                return fail("job %s not running after %s", jobId, timeout);
            }
            sleep(20);
        }
    }

    /** Waits until the running job has put some of the account's messages in the mirror. */
    private static void awaitMidJob(Connection c, String jobId, String accountId, Duration timeout)
            throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count(c, "SELECT count(*) FROM mirror_message WHERE account_id = ?", accountId) == 0) {
            try (PreparedStatement s = c.prepareStatement("SELECT status FROM sync_job WHERE id = ?")) {
                s.setString(1, jobId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (!r.getString(1).equals("RUNNING")) {
                        fail("job %s ended (%s) before any message reached the mirror", jobId, r.getString(1));
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                fail("no message of job %s in the mirror after %s", jobId, timeout);
            }
            sleep(5);
        }
    }

    /** The ids of the "job <id> succeeded" lines per replica, waiting until every one of these jobs has one. */
    private static Map<AppInstance, List<String>> awaitSucceededLines(List<String> jobIds, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<AppInstance, List<String>> lines = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            for (AppInstance instance : instances) {
                List<String> ids = succeededLines(instance.logText());
                lines.put(instance, ids);
                seen.addAll(ids);
            }
            if (seen.containsAll(jobIds) || System.nanoTime() > deadline) {
                return lines;
            }
            sleep(200);
        }
    }

    private static List<String> succeededLines(String log) {
        List<String> ids = new ArrayList<>();
        Matcher m = SUCCEEDED.matcher(log);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static long count(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).as("a row from %s", sql).isTrue();
                return r.getLong(1);
            }
        }
    }

    private static int update(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            return s.executeUpdate();
        }
    }

    private static void lockLeaseNoWait(Connection c, String accountId) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT token FROM account_lease WHERE account_id = ? FOR UPDATE NOWAIT")) {
            s.setString(1, accountId);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
