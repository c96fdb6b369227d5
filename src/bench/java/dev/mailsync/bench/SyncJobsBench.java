package dev.mailsync.bench;

import static dev.mailsync.bench.BenchReport.line;
import static dev.mailsync.bench.BenchReport.since;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailsync.testsupport.Dovecot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark, not a test: how fast one instance of the packaged service completes sync jobs, and how fast
 * it serves a device's {@code changes}. Run it with {@code src/bench/sync-jobs.sh}, which builds the
 * service and passes the settings; {@code src/bench/README.md} explains each figure.
 *
 * <p>Part 1: ACCOUNTS Dovecot users with MESSAGES messages each (written as maildir files, not appended
 * over IMAP), one account and one device each created through the API before the clock starts, then one
 * sync job POSTed per account as fast as POSTERS clients can, and every job followed to its final state.
 * Part 2: one more account whose INBOX holds VIEW_MESSAGES messages, synced once, then its device's
 * {@code changes} read from the beginning in pages of PAGE, three times.
 */
public final class SyncJobsBench {
    private static final String PASSWORD = "Bench-Imap-Password-1!";
    private static final String VIEW_USER = "bench-view";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration JOBS_TIMEOUT = Duration.ofMinutes(30);
    private static final Path WORK = Path.of("target", "bench");

    private final Settings settings;
    private final String subject = "bench-" + UUID.randomUUID();

    private SyncJobsBench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment();
        try {
            new SyncJobsBench(settings).run();
        } catch (Exception e) {
            System.out.flush();
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(WORK);
        printFacts();
        Dovecot.Options options = Dovecot.options().quota(null).user(VIEW_USER, PASSWORD);
        for (int i = 0; i < settings.accounts; i++) {
            options.user(mailUser(i), PASSWORD);
        }
        long started = System.nanoTime();
        try (Dovecot dovecot = Dovecot.start(options)) {
            line("dovecot", "started with %d users in %s", settings.accounts + 1, since(started));
            // The service starts while the mailboxes are written.
            try (BenchApp app = BenchApp.launch(WORK.resolve("service.log"), settings.jvmOptions, properties())) {
                started = System.nanoTime();
                seedMailboxes(dovecot);
                line(
                        "seeded",
                        "%d x %d messages + %d in %s's INBOX as maildir files (cur/), in %s",
                        settings.accounts,
                        settings.messages,
                        settings.viewMessages,
                        VIEW_USER,
                        since(started));
                started = System.nanoTime();
                app.awaitReady(READY_TIMEOUT);
                line("service", "ready (pid %d, JVM options %s) %s", app.pid(), app.jvmOptions(), since(started));
                try {
                    BenchApi api = new BenchApi(app.baseUrl(), token());
                    syncJobs(dovecot, app, api);
                    changes(dovecot, api);
                } catch (Exception | AssertionError e) {
                    System.err.println(app.tail(60));
                    throw e;
                }
            }
        }
    }

    // --- part 1: sync jobs ------------------------------------------------------------------------

    private void syncJobs(Dovecot dovecot, BenchApp app, BenchApi api) throws Exception {
        System.out.println();
        System.out.println("== part 1: sync jobs, one instance ==");
        long started = System.nanoTime();
        List<String[]> made = inParallel(settings.posters, settings.accounts, i -> {
            JsonNode account = createAccount(api, dovecot, mailUser(i));
            String accountId = account.get("id").asText();
            JsonNode device = api.post(
                    "/v1/accounts/" + accountId + "/devices",
                    Map.of("name", "bench phone " + i, "platform", "MOBILE"),
                    201);
            return new String[] {accountId, device.get("id").asText()};
        });
        line(
                "setup",
                "%d accounts + %d devices created through the API in %s (not timed)",
                made.size(),
                made.size(),
                since(started));

        // Let the start-up work (schedule tick, JIT of the API path) settle before the snapshot.
        Thread.sleep(2_000);
        Map<String, Double> metricsBefore = Metrics.parse(api.metrics());
        PgStats pgBefore = PgStats.read(settings);

        Instant t0 = Instant.now();
        long n0 = System.nanoTime();
        List<JsonNode> accepted = inParallel(
                settings.posters,
                made.size(),
                i -> api.post(
                        "/v1/accounts/" + made.get(i)[0] + "/devices/" + made.get(i)[1] + "/sync-jobs", null, 202));
        Duration posting = Duration.ofNanos(System.nanoTime() - n0);

        Deque<JsonNode> pending = new ArrayDeque<>(accepted.stream()
                .sorted(Comparator.comparing(
                        j -> Instant.parse(j.get("createdAt").asText())))
                .toList());
        List<JsonNode> finals = new ArrayList<>();
        int polls = 0;
        long deadline = n0 + JOBS_TIMEOUT.toNanos();
        // Jobs are claimed oldest first: wait at the oldest pending one, take every final one behind it.
        while (!pending.isEmpty()) {
            JsonNode job =
                    api.get("/v1/sync-jobs/" + pending.peekFirst().get("id").asText());
            polls++;
            if (isFinal(job)) {
                finals.add(job);
                pending.removeFirst();
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(pending.size() + " jobs not final after " + JOBS_TIMEOUT);
            }
            Thread.sleep(200);
        }
        Duration observed = Duration.ofNanos(System.nanoTime() - n0);
        Map<String, Double> metricsAfter = Metrics.parse(api.metrics());

        int jobs = finals.size();
        Map<String, Integer> byStatus = new TreeMap<>();
        Map<String, Integer> errors = new TreeMap<>();
        List<Long> total = new ArrayList<>();
        List<Long> queued = new ArrayList<>();
        List<Long> running = new ArrayList<>();
        Instant lastFinished = t0;
        int retried = 0;
        for (JsonNode job : finals) {
            String status = job.get("status").asText();
            byStatus.merge(status, 1, Integer::sum);
            if (job.hasNonNull("error")) {
                errors.merge(job.get("error").path("code").asText(), 1, Integer::sum);
            }
            if (job.get("attempts").asInt() > 1) {
                retried++;
            }
            Instant created = Instant.parse(job.get("createdAt").asText());
            Instant finished = Instant.parse(job.get("finishedAt").asText());
            if (finished.isAfter(lastFinished)) {
                lastFinished = finished;
            }
            if (status.equals("SUCCEEDED")) {
                total.add(Duration.between(created, finished).toMillis());
                if (job.hasNonNull("startedAt")) {
                    Instant startedAt = Instant.parse(job.get("startedAt").asText());
                    queued.add(Duration.between(created, startedAt).toMillis());
                    running.add(Duration.between(startedAt, finished).toMillis());
                }
            }
        }
        int succeeded = byStatus.getOrDefault("SUCCEEDED", 0);
        Duration wall = Duration.between(t0, lastFinished);

        line("jobs", "%d posted, %d final: %s", accepted.size(), jobs, byStatus);
        line("jobs completed", "%d", succeeded);
        line("jobs failed", "%d%s", jobs - succeeded, errors.isEmpty() ? "" : " " + errors);
        line("jobs retried", "%d (attempts > 1)", retried);
        line(
                "POST phase",
                "%s for %d POSTs from %d clients (%.1f POST/s)",
                ms(posting),
                jobs,
                settings.posters,
                jobs / seconds(posting));
        line(
                "wall time",
                "%s (first POST to the last finishedAt; the poller saw the last one after %s)",
                ms(wall),
                ms(observed));
        line("jobs/s", "%.1f", succeeded / seconds(wall));
        line(
                "POST->SUCCEEDED",
                "median %d ms, p99 %d ms, max %d ms (finishedAt - createdAt)",
                percentile(total, 50),
                percentile(total, 99),
                percentile(total, 100));
        line(
                "  queued",
                "median %d ms, p99 %d ms (startedAt - createdAt)",
                percentile(queued, 50),
                percentile(queued, 99));
        line(
                "  running",
                "median %d ms, p99 %d ms (finishedAt - startedAt, last attempt)",
                percentile(running, 50),
                percentile(running, 99));

        double txCount = Metrics.delta(metricsBefore, metricsAfter, "mailsync_db_transaction_seconds_count");
        double txSum = Metrics.delta(metricsBefore, metricsAfter, "mailsync_db_transaction_seconds_sum");
        double jobSum = Metrics.delta(metricsBefore, metricsAfter, "mailsync_sync_job_duration_seconds_sum");
        double jobCount = Metrics.delta(metricsBefore, metricsAfter, "mailsync_sync_job_duration_seconds_count");
        double httpCount = Metrics.delta(metricsBefore, metricsAfter, "http_server_requests_seconds_count");
        if (!Double.isNaN(txCount) && txCount > 0) {
            line("DB time/job", "%.2f ms (mailsync_db_transaction_seconds_sum delta / jobs)", txSum * 1000 / jobs);
            line(
                    "DB tx/job",
                    "%.1f (mailsync_db_transaction_seconds_count delta / jobs), %.2f ms per transaction",
                    txCount / jobs,
                    txSum * 1000 / txCount);
        } else {
            line("DB time/job", "DB time unavailable (no mailsync_db_transaction_seconds metric in /q/metrics)");
        }
        if (!Double.isNaN(jobCount) && jobCount > 0) {
            line(
                    "job run time",
                    "%.1f ms mean (mailsync_sync_job_duration_seconds, %d jobs)",
                    jobSum * 1000 / jobCount,
                    (long) jobCount);
        }
        if (!Double.isNaN(httpCount)) {
            line(
                    "API requests",
                    "%d in the window (http_server_requests delta; the bench made %d POSTs and %d polls)",
                    (long) httpCount,
                    jobs,
                    polls);
        }
        // PostgreSQL flushes a backend's statistics at most once a second, an idle one's within 10 s.
        Thread.sleep(11_000);
        PgStats pgAfter = PgStats.read(settings);
        PgStats pg = pgAfter.minus(pgBefore);
        line(
                "PostgreSQL",
                "per job: %.1f commits, %.1f rollbacks, %.2f ms active time, %.1f rows inserted, %.1f updated"
                        + " (pg_stat_database delta, whole database, includes the API and idle polling)",
                pg.commits / (double) jobs,
                pg.rollbacks / (double) jobs,
                pg.activeMs / jobs,
                pg.inserted / (double) jobs,
                pg.updated / (double) jobs);
    }

    // --- part 2: changes --------------------------------------------------------------------------

    private void changes(Dovecot dovecot, BenchApi api) throws Exception {
        System.out.println();
        System.out.println("== part 2: changes of a device with " + settings.viewMessages + " created messages ==");
        String accountId = createAccount(api, dovecot, VIEW_USER).get("id").asText();
        String deviceId = api.post(
                        "/v1/accounts/" + accountId + "/devices",
                        Map.of("name", "bench view", "platform", "DESKTOP"),
                        201)
                .get("id")
                .asText();
        String devicePath = "/v1/accounts/" + accountId + "/devices/" + deviceId;
        String jobId = api.post(devicePath + "/sync-jobs", null, 202).get("id").asText();
        JsonNode job;
        while (!isFinal(job = api.get("/v1/sync-jobs/" + jobId))) {
            Thread.sleep(200);
        }
        if (!job.get("status").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("the sync of " + VIEW_USER + " did not succeed: " + job);
        }
        line(
                "initial sync",
                "%s (%d messages, finishedAt - startedAt)",
                ms(Duration.between(
                        Instant.parse(job.get("startedAt").asText()),
                        Instant.parse(job.get("finishedAt").asText()))),
                settings.viewMessages);

        List<Double> rates = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            long started = System.nanoTime();
            String since = null;
            int pages = 0;
            int created = 0;
            long bytes = 0;
            List<Long> pageTimes = new ArrayList<>();
            while (true) {
                long pageStarted = System.nanoTime();
                byte[] body = api.getBytes(
                        devicePath + "/changes?limit=" + settings.page + (since == null ? "" : "&since=" + since));
                JsonNode page = BenchApi.parse(body);
                pageTimes.add((System.nanoTime() - pageStarted) / 1_000_000);
                pages++;
                bytes += body.length;
                created += page.path("messages").path("created").size();
                since = page.get("newState").asText();
                if (!page.get("hasMore").asBoolean()) {
                    break;
                }
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            double rate = created / seconds(elapsed);
            rates.add(rate);
            times.add(elapsed.toMillis());
            line(
                    "changes run " + run,
                    "%d created messages in %d pages of %d, %s, %.0f messages/s, %.1f MB JSON, page median %d ms, max"
                            + " %d ms",
                    created,
                    pages,
                    settings.page,
                    ms(elapsed),
                    rate,
                    bytes / 1e6,
                    percentile(pageTimes, 50),
                    percentile(pageTimes, 100));
            if (created != settings.viewMessages) {
                throw new IllegalStateException(
                        "expected " + settings.viewMessages + " created messages, got " + created);
            }
        }
        rates.sort(Comparator.naturalOrder());
        times.sort(Comparator.naturalOrder());
        line("changes best", "%d ms, %.0f messages/s", times.get(0), rates.get(rates.size() - 1));
        line("changes median", "%d ms, %.0f messages/s", times.get(1), rates.get(1));
    }

    // --- set-up -----------------------------------------------------------------------------------

    private JsonNode createAccount(BenchApi api, Dovecot dovecot, String user) throws Exception {
        return api.post(
                "/v1/accounts",
                Map.of(
                        "protocol",
                        "IMAP",
                        "host",
                        dovecot.host(),
                        "port",
                        dovecot.imapPort(),
                        "security",
                        "NONE",
                        "username",
                        user,
                        "password",
                        PASSWORD),
                201);
    }

    private Map<String, String> properties() {
        Map<String, String> p = BenchApp.serviceProperties(settings.jdbcUrl, settings.dbUser, settings.dbPassword);
        if (settings.workers != null) {
            p.put("mailsync.jobs.workers", settings.workers);
        }
        return p;
    }

    private String token() {
        return BenchApp.token(subject);
    }

    /**
     * Writes every message as a file in the user's {@code Maildir/cur} (the harness sets {@code
     * mail_location = maildir:~/Maildir} with home {@code <dir>/mail/<user>}), owned like the harness's
     * mail root so Dovecot's mail processes (user vmail when run as root) can index and move them.
     * Dovecot indexes them at the first login, which is inside the timed sync jobs.
     */
    private void seedMailboxes(Dovecot dovecot) throws Exception {
        Path mailRoot = dovecot.directory().resolve("mail");
        Object uid = Files.getAttribute(mailRoot, "unix:uid");
        Object gid = Files.getAttribute(mailRoot, "unix:gid");
        long now = Instant.now().getEpochSecond();
        inParallel(2, settings.accounts + 1, i -> {
            boolean view = i == settings.accounts;
            String user = view ? VIEW_USER : mailUser(i);
            int count = view ? settings.viewMessages : settings.messages;
            Path home = mailRoot.resolve(user);
            Path maildir = home.resolve("Maildir");
            for (Path dir :
                    List.of(home, maildir, maildir.resolve("cur"), maildir.resolve("new"), maildir.resolve("tmp"))) {
                Files.createDirectories(dir);
                chown(dir, uid, gid);
            }
            for (int m = 0; m < count; m++) {
                byte[] lf = message(user, m, Instant.ofEpochSecond(now - (count - m) * 60L));
                Path file = maildir.resolve("cur").resolve(now + ".M" + m + "P" + i + ".bench,S=" + lf.length + ":2,");
                Files.write(file, lf);
                chown(file, uid, gid);
            }
            return null;
        });
    }

    /**
     * A short text/plain RFC 5322 message with LF line ends, as maildir stores them. Built from a template
     * rather than with {@code TestMessages} (Jakarta Mail), which costs tens of milliseconds a message.
     */
    private static byte[] message(String user, int m, Instant date) {
        String text = "From: Sender " + (m % 50) + " <sender" + (m % 50) + "@example.org>\n"
                + "To: " + user + " <" + user + "@example.org>\n"
                + "Subject: Bench message " + m + " for " + user + "\n"
                + "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(date.atOffset(ZoneOffset.UTC)) + "\n"
                + "Message-ID: <" + m + "." + user + ".bench@example.org>\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=UTF-8\n"
                + "Content-Transfer-Encoding: 7bit\n"
                + "\n"
                + "Hello " + user + ",\n\nthis is message " + m + " of the benchmark.\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void chown(Path path, Object uid, Object gid) throws IOException {
        if (!Files.getAttribute(path, "unix:uid").equals(uid)) {
            Files.setAttribute(path, "unix:uid", uid);
        }
        if (!Files.getAttribute(path, "unix:gid").equals(gid)) {
            Files.setAttribute(path, "unix:gid", gid);
        }
    }

    private void printFacts() throws Exception {
        System.out.println("== mailsync sync-jobs benchmark ==");
        line("command", "%s", settings.command);
        line(
                "settings",
                "ACCOUNTS=%d MESSAGES=%d VIEW_MESSAGES=%d PAGE=%d POSTERS=%d workers=%s",
                settings.accounts,
                settings.messages,
                settings.viewMessages,
                settings.page,
                settings.posters,
                settings.workers == null ? "default (4)" : settings.workers);
        line(
                "machine",
                "%d cores (availableProcessors), %s %s %s",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("os.arch"));
        BenchReport.jdkDovecotAndPostgres(settings.jdbcUrl, settings.dbUser, settings.dbPassword);
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static boolean isFinal(JsonNode job) {
        String status = job.get("status").asText();
        return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED");
    }

    private static String mailUser(int i) {
        return "bench-" + i;
    }

    /** Nearest-rank percentile (100: the maximum); 0 for an empty list. */
    static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String ms(Duration d) {
        return d.toMillis() + " ms";
    }

    @FunctionalInterface
    private interface Task<T> {
        T run(int i) throws Exception;
    }

    /** Runs task(0 .. count-1) on that many threads; the results in order; the first failure is thrown. */
    private static <T> List<T> inParallel(int threads, int count, Task<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> task.run(n)));
            }
            List<T> results = new ArrayList<>(count);
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sums of Prometheus series by metric name (every label set added up). */
    static final class Metrics {
        private Metrics() {}

        static Map<String, Double> parse(String text) {
            Map<String, Double> sums = new TreeMap<>();
            for (String raw : text.split("\n")) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                if (space < 0) {
                    continue;
                }
                String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
                try {
                    sums.merge(name.strip(), Double.parseDouble(line.substring(space + 1)), Double::sum);
                } catch (NumberFormatException ignored) {
                    // A timestamp or an exotic value: not one of ours.
                }
            }
            return sums;
        }

        /** after - before, or NaN when the metric is missing. */
        static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
            if (!after.containsKey(name)) {
                return Double.NaN;
            }
            return after.get(name) - before.getOrDefault(name, 0.0);
        }
    }

    /** The database's counters in {@code pg_stat_database}. */
    record PgStats(long commits, long rollbacks, double activeMs, long inserted, long updated) {
        static PgStats read(Settings settings) throws SQLException {
            try (Connection c = DriverManager.getConnection(settings.jdbcUrl, settings.dbUser, settings.dbPassword);
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT xact_commit, xact_rollback, active_time, tup_inserted,"
                            + " tup_updated FROM pg_stat_database WHERE datname = current_database()")) {
                r.next();
                return new PgStats(r.getLong(1), r.getLong(2), r.getDouble(3), r.getLong(4), r.getLong(5));
            }
        }

        PgStats minus(PgStats o) {
            return new PgStats(
                    commits - o.commits,
                    rollbacks - o.rollbacks,
                    activeMs - o.activeMs,
                    inserted - o.inserted,
                    updated - o.updated);
        }
    }

    /** What {@code sync-jobs.sh} passes in the environment. */
    private record Settings(
            int accounts,
            int messages,
            int viewMessages,
            int page,
            int posters,
            String workers,
            String jdbcUrl,
            String dbUser,
            String dbPassword,
            List<String> jvmOptions,
            String command) {

        static Settings fromEnvironment() {
            Map<String, String> env = System.getenv();
            String url = env.get("QUARKUS_DATASOURCE_JDBC_URL");
            if (url == null || url.isBlank()) {
                throw new IllegalStateException("set QUARKUS_DATASOURCE_JDBC_URL (+ _USERNAME, _PASSWORD)");
            }
            String workers = env.get("WORKERS");
            return new Settings(
                    number(env, "ACCOUNTS", 1000),
                    number(env, "MESSAGES", 10),
                    number(env, "VIEW_MESSAGES", 10_000),
                    number(env, "PAGE", 500),
                    number(env, "POSTERS", 16),
                    workers == null || workers.isBlank() ? null : workers,
                    url,
                    env.getOrDefault("QUARKUS_DATASOURCE_USERNAME", ""),
                    env.getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""),
                    List.of(env.getOrDefault("APP_JAVA_OPTS", "-Xms512m -Xmx1g")
                            .strip()
                            .split("\\s+")),
                    env.getOrDefault("BENCH_COMMAND", "(run directly, not through src/bench/sync-jobs.sh)"));
        }

        private static int number(Map<String, String> env, String name, int fallback) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, not " + value, e);
            }
        }
    }
}
