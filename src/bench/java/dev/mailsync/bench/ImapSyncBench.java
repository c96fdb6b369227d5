package dev.mailsync.bench;

import static dev.mailsync.bench.BenchReport.line;
import static dev.mailsync.bench.BenchReport.median;
import static dev.mailsync.bench.BenchReport.since;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailsync.testsupport.BenchMessages;
import dev.mailsync.testsupport.Dovecot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark, not a test: how fast the packaged service syncs one IMAP INBOX of N messages, against a
 * real Dovecot, compared with a raw socket client. Run it with {@code src/bench/imap-sync.sh}, which
 * builds the service and passes the settings; {@code src/bench/README.md} explains each figure.
 *
 * <p>For each N in SIZES (default 1,000 and 100,000): the INBOX is written as maildir files before
 * Dovecot first opens it, and Dovecot's index and cache are warmed by a raw FETCH of everything before
 * anything is measured. Part 1: the initial sync (summaries into the mirror) next to the floor, a raw
 * client receiving the same FETCH items; the service's heap meanwhile. Part 2: syncs with nothing
 * changed. Part 3 (largest N): syncs after CHANGES flag changes, new and expunged messages made by
 * another client.
 *
 * <p>Which FETCH items the service asks for, and what a sync with nothing changed sends, is learned from
 * the wire: a small probe account syncs through {@link ImapRecorder} first.
 */
public final class ImapSyncBench {
    private static final String PASSWORD = "Bench-Imap-Password-1!";
    private static final String PROBE_USER = "bench-probe";
    private static final int PROBE_MESSAGES = 20;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(30);
    private static final Path WORK = Path.of("target", "bench");
    /** The service's scan chunk ({@code ImapConnection.SCAN_CHUNK}), for the "chunked like the service" floor. */
    private static final int SCAN_CHUNK = 5_000;

    private static final Pattern FETCH_ITEMS = Pattern.compile("^\\S+ UID FETCH \\S+ \\((.*ENVELOPE.*)\\)$");
    private static final Pattern GC_PAUSE =
            Pattern.compile("Pause.*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\) (\\d+(?:\\.\\d+)?)ms");

    private final Settings settings;
    private final String subject = "bench-" + UUID.randomUUID();
    private final Path gcLog = WORK.resolve("imap-sync-gc.log").toAbsolutePath();
    private final Map<Integer, Account> accounts = new LinkedHashMap<>();
    private final Map<String, Object> summary = new LinkedHashMap<>();
    private Dovecot dovecot;
    /** The IMAP port measured: the harness's Dovecot (maildir) or the mdbox one. */
    private int imapPort;

    private Connection db;
    private BenchApp app;
    private BenchApi api;
    private String fetchItems;
    private List<List<String>> noChangeConversation = List.of();

    private record Account(int size, String user, String accountId, String devicePath) {}

    /** One finished job as the API reports it, and what the client saw. */
    private record Job(JsonNode json, long wallMillis) {
        Instant created() {
            return Instant.parse(json.get("createdAt").asText());
        }

        long runningMillis() {
            return Duration.between(Instant.parse(json.get("startedAt").asText()), finished())
                    .toMillis();
        }

        long queuedMillis() {
            return Duration.between(
                            created(), Instant.parse(json.get("startedAt").asText()))
                    .toMillis();
        }

        long totalMillis() {
            return Duration.between(created(), finished()).toMillis();
        }

        Instant finished() {
            return Instant.parse(json.get("finishedAt").asText());
        }
    }

    private ImapSyncBench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) {
        Settings settings = Settings.fromEnvironment();
        try {
            new ImapSyncBench(settings).run();
        } catch (Exception | AssertionError e) {
            System.out.flush();
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(WORK);
        Files.deleteIfExists(gcLog);
        printFacts();
        Dovecot.Options options = Dovecot.options().quota(null).user(PROBE_USER, PASSWORD);
        for (int size : settings.sizes) {
            options.user(user(size), PASSWORD);
        }
        long started = System.nanoTime();
        try (Dovecot d = Dovecot.start(options)) {
            dovecot = d;
            line("dovecot", "started in %s (quota plugin off, QRESYNC and CONDSTORE announced)", since(started));
            List<String> jvm = new ArrayList<>(settings.jvmOptions);
            jvm.add("-Xlog:gc:file=" + gcLog);
            if (settings.profile) {
                jvm.addAll(JfrProfile.jvmOptions());
            }
            // The service starts while the mailboxes are written; nothing touches them before it is ready.
            try (BenchApp a = BenchApp.launch(WORK.resolve("imap-sync-service.log"), jvm, properties())) {
                app = a;
                List<String> users = seed();
                MdboxDovecot mdbox = null;
                imapPort = d.imapPort();
                if (settings.mailFormat.equals("mdbox")) {
                    started = System.nanoTime();
                    mdbox = MdboxDovecot.convertAndStart(d, users);
                    imapPort = mdbox.imapPort();
                    line(
                            "mdbox",
                            "maildirs converted with doveadm backup -R and served by a second Dovecot (mdbox) in %s",
                            since(started));
                }
                try (ImapRecorder recorder = new ImapRecorder(d.host(), imapPort)) {
                    started = System.nanoTime();
                    app.awaitReady(READY_TIMEOUT);
                    line("service", "ready (pid %d, JVM options %s) %s", app.pid(), app.jvmOptions(), since(started));
                    api = new BenchApi(app.baseUrl(), token());
                    try (Connection c =
                            DriverManager.getConnection(settings.jdbcUrl, settings.dbUser, settings.dbPassword)) {
                        db = c;
                        probe(recorder);
                        warm();
                        for (int size : settings.sizes) {
                            accounts.put(size, createAccountAndDevice(user(size), imapPort));
                        }
                        if (settings.jitWarmup) {
                            jitWarmup();
                        }
                        for (int size : settings.sizes) {
                            initialSync(accounts.get(size));
                        }
                        for (int size : settings.sizes) {
                            noChange(accounts.get(size));
                        }
                        changes(accounts.get(settings.sizes.get(settings.sizes.size() - 1)));
                        printSummary();
                    } catch (Exception | AssertionError e) {
                        System.err.println(app.tail(60));
                        throw e;
                    }
                } finally {
                    if (mdbox != null) {
                        mdbox.close();
                    }
                }
            }
        }
    }

    // --- set-up -----------------------------------------------------------------------------------

    /** Writes every mailbox as maildir files; returns the users. */
    private List<String> seed() throws Exception {
        Path mailRoot = dovecot.directory().resolve("mail");
        Object uid = Files.getAttribute(mailRoot, "unix:uid");
        Object gid = Files.getAttribute(mailRoot, "unix:gid");
        Instant now = Instant.now();
        List<String> users = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        users.add(PROBE_USER);
        counts.add(PROBE_MESSAGES);
        for (int size : settings.sizes) {
            users.add(user(size));
            counts.add(size);
        }
        for (String user : users) {
            Path home = mailRoot.resolve(user);
            Files.createDirectories(home);
            BenchMessages.chown(home, uid, gid);
        }
        // Two writers per mailbox, each half of it.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        long started = System.nanoTime();
        AtomicLong bytes = new AtomicLong();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int u = 0; u < users.size(); u++) {
                String user = users.get(u);
                int count = counts.get(u);
                Path maildir = mailRoot.resolve(user).resolve("Maildir");
                int half = count / 2;
                int salt = u;
                futures.add(pool.submit(() -> bytes.addAndGet(
                        BenchMessages.seedMaildir(maildir, user, 0, half, count, now, salt, uid, gid))));
                futures.add(pool.submit(() -> bytes.addAndGet(
                        BenchMessages.seedMaildir(maildir, user, half, count, count, now, salt, uid, gid))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long total = counts.stream().mapToLong(Integer::longValue).sum();
        line(
                "seeded",
                "%s as maildir files in %s: %d messages, %.1f MB, %.0f bytes a message on average",
                users,
                since(started),
                total,
                bytes.get() / 1e6,
                bytes.get() / (double) total);
        return users;
    }

    /**
     * The probe account syncs through the recorder: its first sync shows the FETCH items of summaries,
     * its later ones the commands of a sync with nothing changed. They also warm the service's code paths.
     */
    private void probe(ImapRecorder recorder) throws Exception {
        System.out.println();
        System.out.println("== what the service sends (probe account through a recording relay) ==");
        Account probe = createAccountAndDevice(PROBE_USER, recorder.port());
        recorder.clear();
        Job first = sync(probe);
        recorder.awaitIdle(5_000);
        for (List<String> session : recorder.sessions()) {
            for (String command : session) {
                Matcher m = FETCH_ITEMS.matcher(command);
                if (m.matches() && fetchItems == null) {
                    fetchItems = m.group(1);
                }
            }
        }
        if (fetchItems == null) {
            throw new IllegalStateException(
                    "the probe's initial sync sent no UID FETCH with ENVELOPE: " + describe(recorder.sessions()));
        }
        line("initial sync", "%s", describe(recorder.sessions()));
        line("FETCH items", "(%s) — the raw client asks for exactly these", fetchItems);
        line("probe job", "%d ms running (%d messages, cold JVM)", first.runningMillis(), PROBE_MESSAGES);
        for (int i = 0; i < 5; i++) {
            recorder.clear();
            sync(probe);
            recorder.awaitIdle(5_000);
        }
        noChangeConversation = recorder.sessions();
        line("no-change sync", "%s", describe(noChangeConversation));
    }

    /**
     * Dovecot builds a mailbox's index at its first SELECT and its cache (envelopes, body structures,
     * previews) at the first FETCH of those items; a raw FETCH of everything, twice, does both before
     * anything is measured.
     */
    private void warm() throws Exception {
        System.out.println();
        System.out.println("== warming Dovecot's index and cache (not measured) ==");
        for (int size : settings.sizes) {
            for (int pass = 1; pass <= 2; pass++) {
                long started = System.nanoTime();
                try (RawImap imap = RawImap.examine(dovecot.host(), imapPort, user(size), PASSWORD, "INBOX")) {
                    RawImap.Result r = imap.command("UID FETCH 1:* (" + fetchItems + ")", false)
                            .requireOk("UID FETCH");
                    line(
                            "warm " + size,
                            "pass %d: %s (%.1f MB of FETCH responses)",
                            pass,
                            since(started),
                            r.bytes() / 1e6);
                }
            }
            try (RawImap imap = RawImap.examine(dovecot.host(), imapPort, user(size), PASSWORD, "INBOX")) {
                int exists = imap.uidSearch("ALL").size();
                if (exists != size) {
                    throw new IllegalStateException(user(size) + " holds " + exists + " messages, not " + size);
                }
            }
        }
    }

    /**
     * A first sync of the largest mailbox by another owner's account, not measured: the service's JIT
     * compiles the summary and mirror paths here, as a service that has been running has done long before.
     * (Measured on the 2-core machine: the C2 compiler threads used 2.3 s of CPU during the 100,000-message
     * initial sync that followed only the 1,000-message one, half of the service's CPU in that window.) The
     * warm-up account's mirror rows stay, as other tenants' rows would. JIT_WARMUP=false skips it.
     */
    private void jitWarmup() throws Exception {
        int size = settings.sizes.get(settings.sizes.size() - 1);
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "== JIT warm-up: initial sync of %,d messages by another account (not" + " measured) ==%n",
                size);
        BenchApi measured = api;
        try {
            api = new BenchApi(app.baseUrl(), BenchApp.token(subject + "-jit-warmup"));
            Job job = sync(createAccountAndDevice(user(size), imapPort));
            line(
                    "warm-up",
                    "%,d ms running (cold JIT: the figure a freshly started service gives)",
                    job.runningMillis());
        } finally {
            api = measured;
        }
    }

    // --- part 1: initial sync ---------------------------------------------------------------------

    private void initialSync(Account account) throws Exception {
        int n = account.size();
        System.out.println();
        System.out.printf(Locale.ROOT, "== part 1: initial sync, INBOX of %,d messages ==%n", n);
        line("load", "%s", loadAverage());

        List<Double> floorTotal = new ArrayList<>();
        List<Double> floorFetch = new ArrayList<>();
        long floorBytes = 0;
        for (int run = 0; run < settings.floorRuns; run++) {
            long started = System.nanoTime();
            try (RawImap imap = RawImap.examine(dovecot.host(), imapPort, account.user(), PASSWORD, "INBOX")) {
                RawImap.Result r = imap.command("UID FETCH 1:* (" + fetchItems + ")", false)
                        .requireOk("UID FETCH");
                floorTotal.add((System.nanoTime() - started) / 1e6);
                floorFetch.add(r.millis());
                floorBytes = r.bytes();
            }
        }
        double floor = median(floorTotal);
        line(
                "floor",
                "%.0f ms median of %d (%s ms) — raw socket: connect, LOGIN, EXAMINE, UID FETCH 1:* (%s), bytes read"
                        + " until the tagged OK",
                floor,
                floorTotal.size(),
                list(floorTotal),
                fetchItems);
        line(
                "  of which FETCH",
                "%.0f ms median, %.1f MB (%.0f bytes a message, %.1f MB/s)",
                median(floorFetch),
                floorBytes / 1e6,
                floorBytes / (double) n,
                floorBytes / 1e3 / median(floorFetch));
        List<String> perItem = new ArrayList<>();
        try (RawImap imap = RawImap.examine(dovecot.host(), imapPort, account.user(), PASSWORD, "INBOX")) {
            for (String item : fetchItems.split(" ")) {
                RawImap.Result r = imap.command(
                                "UID FETCH 1:* (" + (item.equals("UID") ? "UID" : "UID " + item) + ")", false)
                        .requireOk("UID FETCH");
                perItem.add(String.format(Locale.ROOT, "%s %.0f ms %.1f MB", item, r.millis(), r.bytes() / 1e6));
            }
        }
        line("  by item", "%s (UID FETCH 1:* (UID <item>) each, one connection)", String.join(", ", perItem));
        double chunked = chunkedFloor(account);
        line(
                "floor, chunked",
                "%.0f ms — the same client sending the service's command pattern: FETCH (UID FLAGS) per %,d"
                        + " messages, then UID FETCH per %,d UIDs",
                chunked,
                SCAN_CHUNK,
                settings.summaryChunk);

        Map<String, Double> before = metricsByLabels();
        long gcFrom = Files.exists(gcLog) ? Files.size(gcLog) : 0;
        HeapWatch heap = HeapWatch.start(api, 250);
        Instant windowFrom = Instant.now();
        Job job;
        try {
            job = sync(account);
        } finally {
            heap.stop();
        }
        Map<String, Double> after = metricsByLabels();
        GcSummary gc = GcSummary.read(gcLog, gcFrom);
        MirrorCount mirror = mirrorCount(account.accountId());

        double ratio = job.runningMillis() / floor;
        line(
                "service",
                "%,d ms running (finishedAt - startedAt), %,d ms POST->SUCCEEDED (server), %,d ms wall (client,"
                        + " POST to seeing SUCCEEDED), queued %d ms",
                job.runningMillis(),
                job.totalMillis(),
                job.wallMillis(),
                job.queuedMillis());
        line(
                "  throughput",
                "%,.0f messages/s (running time); floor %,.0f messages/s",
                n / (job.runningMillis() / 1e3),
                n / (floor / 1e3));
        line("  ratio", "%.2fx the floor (running / floor median; target <= 3x at 100,000)", ratio);
        line(
                "  vs chunked",
                "%.2fx the chunked floor (what parsing, conversion and the mirror writes add)",
                job.runningMillis() / chunked);
        line(
                "  mirror",
                "%,d live INBOX rows, %,d with a subject, %,d with a preview (expected %,d)%s",
                mirror.live,
                mirror.withSubject,
                mirror.withPreview,
                n,
                mirror.live == n && mirror.withSubject == n ? "" : "  <-- MISMATCH");
        if (mirror.live != n) {
            throw new IllegalStateException("the mirror holds " + mirror.live + " messages, not " + n);
        }
        double dbSum = delta(before, after, "mailsync_db_transaction_seconds_sum");
        double dbCount = delta(before, after, "mailsync_db_transaction_seconds_count");
        line(
                "  DB",
                "%,.0f ms in %,.0f transactions (mailsync_db_transaction_seconds delta; includes the API's POST"
                        + " and GET of the job)",
                dbSum * 1000,
                dbCount);
        line("  folder paths", "%s", paths(before, after));
        line(
                "  heap",
                "peak used %.0f MB (jvm_memory_used_bytes, area=heap, polled every 250 ms, %d samples); GC log: %s",
                heap.peakBytes() / 1e6,
                heap.samples(),
                gc);
        line("  RSS", "peak %s so far (VmHWM of the service process)", peakRss(app.pid()));
        profile("initial-" + n, windowFrom, Instant.now(), 1);
        line("load", "%s", loadAverage());
        summary.put("initial." + n + ".running", job.runningMillis());
        summary.put("initial." + n + ".floor", floor);
        summary.put("initial." + n + ".ratio", ratio);
        summary.put("initial." + n + ".heapPeak", heap.peakBytes() / 1e6);
        summary.put(
                "initial." + n + ".heapAfterGc",
                gc.pauses == 0 ? "no GC pause" : String.format(Locale.ROOT, "%.0f MB after GC", gc.maxAfterMb));
    }

    /**
     * The raw client with the service's command pattern: a scan of UID and FLAGS in sequence chunks, then
     * the summary items for explicit UID sets of {@code summaryChunk} UIDs (the UIDs come from a UID
     * SEARCH before the clock starts).
     */
    private double chunkedFloor(Account account) throws Exception {
        List<Long> uids;
        int exists;
        try (RawImap imap = RawImap.examine(dovecot.host(), imapPort, account.user(), PASSWORD, "INBOX")) {
            uids = imap.uidSearch("ALL");
            exists = uids.size();
        }
        long started = System.nanoTime();
        try (RawImap imap = RawImap.examine(dovecot.host(), imapPort, account.user(), PASSWORD, "INBOX")) {
            for (int start = 1; start <= exists; start += SCAN_CHUNK) {
                int end = Math.min(exists, start + SCAN_CHUNK - 1);
                imap.command("FETCH " + start + ":" + end + " (UID FLAGS)", false)
                        .requireOk("FETCH");
            }
            for (int from = 0; from < uids.size(); from += settings.summaryChunk) {
                List<Long> chunk = uids.subList(from, Math.min(uids.size(), from + settings.summaryChunk));
                imap.command("UID FETCH " + uidSet(chunk) + " (" + fetchItems + ")", false)
                        .requireOk("UID FETCH");
            }
            return (System.nanoTime() - started) / 1e6;
        }
    }

    // --- part 2: nothing changed ------------------------------------------------------------------

    private void noChange(Account account) throws Exception {
        int n = account.size();
        System.out.println();
        System.out.printf(Locale.ROOT, "== part 2: sync with nothing changed, INBOX of %,d messages ==%n", n);
        line("load", "%s", loadAverage());
        for (int i = 0; i < settings.warmup; i++) {
            sync(account);
        }
        Map<String, Double> before = metricsByLabels();
        Instant windowFrom = Instant.now();
        List<Long> running = new ArrayList<>();
        List<Long> total = new ArrayList<>();
        List<Long> wall = new ArrayList<>();
        List<Long> queued = new ArrayList<>();
        for (int i = 0; i < settings.repeat; i++) {
            Job job = sync(account);
            running.add(job.runningMillis());
            total.add(job.totalMillis());
            wall.add(job.wallMillis());
            queued.add(job.queuedMillis());
        }
        Instant windowTo = Instant.now();
        Map<String, Double> after = metricsByLabels();
        int r = settings.repeat;
        line("runs", "%d measured after %d not measured, one after the other", r, settings.warmup);
        line("running", "%s (finishedAt - startedAt: the worker's time for the job)", stats(running));
        line("POST->SUCCEEDED", "%s (finishedAt - createdAt, server clock)", stats(total));
        line("  queued", "%s (startedAt - createdAt: until a worker claims it)", stats(queued));
        line("wall", "%s (client: POST sent to SUCCEEDED seen in sync_job, checked every 2 ms)", stats(wall));
        line("folder paths", "%s over %d syncs", paths(before, after), r);
        double jobSum = delta(before, after, "mailsync_sync_job_duration_seconds_sum");
        double jobCount = delta(before, after, "mailsync_sync_job_duration_seconds_count");
        double dbSum = delta(before, after, "mailsync_db_transaction_seconds_sum");
        double dbCount = delta(before, after, "mailsync_db_transaction_seconds_count");
        double http = delta(before, after, "http_server_requests_seconds_count");
        if (jobCount > 0) {
            line(
                    "job timer",
                    "%.1f ms mean (mailsync_sync_job_duration_seconds: runner.refresh + the finishing transaction)",
                    jobSum * 1000 / jobCount);
        }
        line(
                "DB",
                "%.1f ms in %.1f transactions per sync (mailsync_db_transaction_seconds; includes the API's"
                        + " POST and the bench's one GET of the final job: %.1f HTTP requests per sync)",
                dbSum * 1000 / r,
                dbCount / r,
                http / r);
        Map<String, List<Double>> perCommand = new LinkedHashMap<>();
        Map<String, List<Double>> perCommandReordered = new LinkedHashMap<>();
        List<Double> replay = new ArrayList<>();
        List<Double> reordered = new ArrayList<>();
        List<List<String>> statusFirst = inboxFirst(noChangeConversation);
        boolean reorderDiffers = !statusFirst.equals(noChangeConversation);
        // Both orders alternate, so a change in the machine's load hits both alike; two warm-up rounds first.
        for (int run = 0; run < settings.repeat + 2 && !noChangeConversation.isEmpty(); run++) {
            replayNoChange(account, noChangeConversation, run >= 2, replay, perCommand);
            if (reorderDiffers) {
                replayNoChange(account, statusFirst, run >= 2, reordered, perCommandReordered);
            }
        }
        if (!replay.isEmpty()) {
            line(
                    "IMAP alone",
                    "%.1f ms median, %.1f ms p90 (the recorded no-change conversation, %s, replayed by the raw"
                            + " client: connect to LOGOUT, %d runs)",
                    median(replay),
                    percentile(replay, 90),
                    describe(noChangeConversation),
                    replay.size());
            List<String> commands = new ArrayList<>();
            perCommand.forEach(
                    (command, millis) -> commands.add(String.format(Locale.ROOT, "%s %.1f", command, median(millis))));
            line("  by command", "%s (ms, median)", String.join(", ", commands));
            if (!reordered.isEmpty()) {
                List<String> reorderedCommands = new ArrayList<>();
                perCommandReordered.forEach((command, millis) ->
                        reorderedCommands.add(String.format(Locale.ROOT, "%s %.1f", command, median(millis))));
                line(
                        "  INBOX first",
                        "%.1f ms median, %.1f ms p90 — the same commands with STATUS INBOX first after the login: %s"
                                + " (ms, median)",
                        median(reordered),
                        percentile(reordered, 90),
                        String.join(", ", reorderedCommands));
                summary.put("nochange." + n + ".replay", median(replay));
                summary.put("nochange." + n + ".reordered", median(reordered));
            }
            double rest = median(running.stream().map(Long::doubleValue).toList()) - median(replay);
            line(
                    "  the rest",
                    "%s",
                    rest > 0
                            ? String.format(
                                    Locale.ROOT,
                                    "%.1f ms median (running - IMAP alone: DB, password decryption, Angus, scheduling)",
                                    rest)
                            : "not measurable: the server's time (IMAP alone) is as long as the whole job");
        }
        profile("nochange-" + n, windowFrom, windowTo, r);
        line("load", "%s", loadAverage());
        summary.put(
                "nochange." + n + ".median",
                median(running.stream().map(Long::doubleValue).toList()));
        summary.put(
                "nochange." + n + ".p90",
                percentile(running.stream().map(Long::doubleValue).toList(), 90));
        summary.put(
                "nochange." + n + ".wallMedian",
                median(wall.stream().map(Long::doubleValue).toList()));
    }

    /** Replays the probe's no-change conversation against this account's mailbox, LOGIN swapped in. */
    private void replayNoChange(
            Account account,
            List<List<String>> conversation,
            boolean measured,
            List<Double> times,
            Map<String, List<Double>> perCommand)
            throws Exception {
        long started = System.nanoTime();
        for (List<String> session : conversation) {
            long connecting = System.nanoTime();
            try (RawImap imap = RawImap.connect(dovecot.host(), imapPort)) {
                if (measured) {
                    perCommand
                            .computeIfAbsent("connect", c -> new ArrayList<>())
                            .add((System.nanoTime() - connecting) / 1e6);
                }
                for (String line : session) {
                    int space = line.indexOf(' ');
                    if (space < 0) {
                        continue; // the client's SASL response to a continuation request
                    }
                    String tag = line.substring(0, space);
                    String rest = line.substring(space + 1);
                    String verb = rest.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                    if (verb.equals("LOGOUT")) {
                        break; // close() logs out
                    }
                    if (verb.equals("LOGIN") || verb.equals("AUTHENTICATE")) {
                        // The probe's credentials out, this account's in; one round trip either way.
                        rest = "LOGIN " + RawImap.quote(account.user()) + " " + RawImap.quote(PASSWORD);
                    }
                    RawImap.Result result = imap.tagged(tag, rest, false).requireOk(verb);
                    if (measured) {
                        String[] words = rest.split(" ");
                        String key = verb.equals("STATUS") && words.length > 1 ? verb + " " + words[1] : verb;
                        perCommand.computeIfAbsent(key, c -> new ArrayList<>()).add(result.millis());
                    }
                }
            }
        }
        if (measured) {
            times.add((System.nanoTime() - started) / 1e6);
        }
    }

    /**
     * The same conversation with the STATUS of INBOX moved right after the login. On Dovecot 2.3 with a big
     * maildir INBOX, a STATUS (or EXAMINE) of INBOX costs a few milliseconds as the first mailbox command
     * of a session and 0.1–0.5 s after any other mailbox command (LIST, or a STATUS of another folder);
     * this variant measures what that order would save.
     */
    private static List<List<String>> inboxFirst(List<List<String>> conversation) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> session : conversation) {
            List<String> lines = new ArrayList<>(session);
            int login = -1;
            int inbox = -1;
            for (int i = 0; i < lines.size(); i++) {
                String[] words = lines.get(i).split(" ");
                if (words.length > 1
                        && (words[1].equalsIgnoreCase("LOGIN") || words[1].equalsIgnoreCase("AUTHENTICATE"))) {
                    login = i;
                }
                if (words.length > 2
                        && words[1].equalsIgnoreCase("STATUS")
                        && words[2].replace("\"", "").equalsIgnoreCase("INBOX")) {
                    inbox = i;
                }
            }
            if (login >= 0 && inbox > login + 1) {
                lines.add(login + 1, lines.remove(inbox));
            }
            out.add(lines);
        }
        return out;
    }

    // --- part 3: changes made by another client ---------------------------------------------------

    private void changes(Account account) throws Exception {
        int n = account.size();
        int k = settings.changes;
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "== part 3: sync after %d flag changes + %d new + %d expunged messages (another client), INBOX of"
                        + " %,d ==%n",
                k,
                k,
                k,
                n);
        line("load", "%s", loadAverage());
        List<Long> running = new ArrayList<>();
        List<Long> total = new ArrayList<>();
        List<Long> wall = new ArrayList<>();
        Instant windowFrom = null;
        for (int round = 1; round <= settings.rounds; round++) {
            long changeStarted = System.nanoTime();
            ServerCounts expected = changeMailbox(account, round, k);
            double changeMillis = (System.nanoTime() - changeStarted) / 1e6;
            if (round == 1) {
                line(
                        "other client",
                        "%.0f ms: STORE \\Flagged %.0f ms, %d APPENDs %.0f ms, STORE \\Deleted + UID EXPUNGE %.0f ms"
                                + " (Dovecot's own cost of changes, not the service's)",
                        changeMillis,
                        expected.storeMillis,
                        k,
                        expected.appendMillis,
                        expected.expungeMillis);
            }
            Map<String, Double> before = metricsByLabels();
            if (windowFrom == null) {
                windowFrom = Instant.now();
            }
            Job job = sync(account);
            Map<String, Double> after = metricsByLabels();
            MirrorCount mirror = mirrorCount(account.accountId());
            boolean match = mirror.live == expected.exists && mirror.flagged == expected.flagged;
            line(
                    "round " + round,
                    "%,d ms running, %,d ms POST->SUCCEEDED, %,d ms wall; paths %s; mirror %,d live / %,d \\Flagged,"
                            + " server %,d / %,d%s (the other client needed %.0f ms)",
                    job.runningMillis(),
                    job.totalMillis(),
                    job.wallMillis(),
                    paths(before, after),
                    mirror.live,
                    mirror.flagged,
                    expected.exists,
                    expected.flagged,
                    match ? "" : "  <-- MISMATCH",
                    changeMillis);
            if (!match) {
                throw new IllegalStateException("the mirror does not match the server after round " + round);
            }
            running.add(job.runningMillis());
            total.add(job.totalMillis());
            wall.add(job.wallMillis());
        }
        line("running", "%s", stats(running));
        line("POST->SUCCEEDED", "%s", stats(total));
        line("wall", "%s", stats(wall));
        profile("changes-" + n, windowFrom, Instant.now(), settings.rounds);
        line("load", "%s", loadAverage());
        summary.put("changes.size", n);
        summary.put(
                "changes.median", median(running.stream().map(Long::doubleValue).toList()));
        summary.put(
                "changes.p90",
                percentile(running.stream().map(Long::doubleValue).toList(), 90));
    }

    /**
     * As another client: {@code \Flagged} on k unflagged messages spread over the mailbox, k new
     * messages (APPEND), k others expunged ({@code \Deleted} + UID EXPUNGE of just those). Returns what the
     * server holds afterwards.
     */
    private ServerCounts changeMailbox(Account account, int round, int k) throws IOException {
        try (RawImap imap = RawImap.connect(dovecot.host(), imapPort)) {
            imap.login(account.user(), PASSWORD);
            imap.command("SELECT INBOX", false).requireOk("SELECT");
            List<Long> unflagged = imap.uidSearch("UNFLAGGED");
            List<Long> flag = spread(unflagged, k, round);
            double store = imap.command("UID STORE " + uidSet(flag) + " +FLAGS.SILENT (\\Flagged)", false)
                    .requireOk("UID STORE")
                    .millis();
            TreeSet<Long> candidates = new TreeSet<>(imap.uidSearch("ALL"));
            candidates.removeAll(flag);
            List<Long> expunge = spread(new ArrayList<>(candidates), k, round + 7);
            Instant now = Instant.now();
            double append = 0;
            for (int i = 0; i < k; i++) {
                int number = account.size() + round * k + i;
                append += imap.append(
                                "INBOX",
                                null,
                                BenchMessages.message(account.user(), number, number + 1, now)
                                        .crlf())
                        .millis();
            }
            double expunging = imap.command("UID STORE " + uidSet(expunge) + " +FLAGS.SILENT (\\Deleted)", false)
                            .requireOk("UID STORE")
                            .millis()
                    + imap.command("UID EXPUNGE " + uidSet(expunge), false)
                            .requireOk("UID EXPUNGE")
                            .millis();
            int exists = imap.uidSearch("ALL").size();
            int flagged = imap.uidSearch("FLAGGED").size();
            return new ServerCounts(exists, flagged, store, append, expunging);
        }
    }

    private record ServerCounts(
            int exists, int flagged, double storeMillis, double appendMillis, double expungeMillis) {}

    /** k elements spread evenly over the list, starting at an offset that moves with the round. */
    private static List<Long> spread(List<Long> from, int k, int round) {
        if (from.size() < k) {
            throw new IllegalStateException("only " + from.size() + " candidates for " + k + " changes");
        }
        int stride = from.size() / k;
        int offset = (round * 37) % Math.max(1, stride);
        List<Long> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(from.get(i * stride + offset));
        }
        return out;
    }

    // --- summary ----------------------------------------------------------------------------------

    private void printSummary() {
        System.out.println();
        System.out.println("== summary (targets from issue 4) ==");
        int largest = settings.sizes.get(settings.sizes.size() - 1);
        int smallest = settings.sizes.get(0);
        for (int size : settings.sizes) {
            line(
                    String.format(Locale.ROOT, "initial sync %,d", size),
                    "%,d ms, floor %.0f ms, ratio %.2fx; heap peak %.0f MB used, %s (-Xmx512m)",
                    (long) summary.get("initial." + size + ".running"),
                    (double) summary.get("initial." + size + ".floor"),
                    (double) summary.get("initial." + size + ".ratio"),
                    (double) summary.get("initial." + size + ".heapPeak"),
                    summary.get("initial." + size + ".heapAfterGc"));
        }
        double ratio = (double) summary.get("initial." + largest + ".ratio");
        line("  target", "<= 3x the floor at %,d: %s (%.2fx)", largest, ratio <= 3 ? "met" : "MISSED", ratio);
        for (int size : settings.sizes) {
            Object replay = summary.get("nochange." + size + ".replay");
            Object reordered = summary.get("nochange." + size + ".reordered");
            line(
                    String.format(Locale.ROOT, "no-change %,d", size),
                    "median %.0f ms, p90 %.0f ms (running); wall median %.0f ms%s",
                    (double) summary.get("nochange." + size + ".median"),
                    (double) summary.get("nochange." + size + ".p90"),
                    (double) summary.get("nochange." + size + ".wallMedian"),
                    replay == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "; its IMAP commands alone %.0f ms, %.0f ms with STATUS INBOX first",
                                    (double) replay,
                                    (double) reordered));
        }
        double big = (double) summary.get("nochange." + largest + ".median");
        double small = (double) summary.get("nochange." + smallest + ".median");
        line(
                "  target",
                "< 50 ms: %s (%.0f ms at %,d); ratio %,d/%,d < 1.5: %s (%.2f)",
                big < 50 ? "met" : "MISSED",
                big,
                largest,
                largest,
                smallest,
                big / small < 1.5 ? "met" : "MISSED",
                big / small);
        double changes = (double) summary.get("changes.median");
        line(
                String.format(Locale.ROOT, "changes %,d", (int) summary.get("changes.size")),
                "median %.0f ms, p90 %.0f ms (running); target < 200 ms: %s",
                changes,
                (double) summary.get("changes.p90"),
                changes < 200 ? "met" : "MISSED");
        line("load", "%s", loadAverage());
    }

    // --- API --------------------------------------------------------------------------------------

    private Account createAccountAndDevice(String user, int port) throws Exception {
        JsonNode account = api.post(
                "/v1/accounts",
                Map.of(
                        "protocol",
                        "IMAP",
                        "host",
                        dovecot.host(),
                        "port",
                        port,
                        "security",
                        "NONE",
                        "username",
                        user,
                        "password",
                        PASSWORD),
                201);
        String accountId = account.get("id").asText();
        String deviceId = api.post(
                        "/v1/accounts/" + accountId + "/devices",
                        Map.of("name", "bench " + user, "platform", "DESKTOP"),
                        201)
                .get("id")
                .asText();
        int size = user.equals(PROBE_USER) ? PROBE_MESSAGES : Integer.parseInt(user.substring("bench-".length()));
        return new Account(size, user, accountId, "/v1/accounts/" + accountId + "/devices/" + deviceId);
    }

    /**
     * POSTs a sync job and waits until it is final; it must succeed at the first attempt. The bench
     * watches the job's row in {@code sync_job} on its own database connection (a primary-key SELECT every
     * 2 ms for the first 200 ms, then every 10 ms, every 100 ms after 2 s), so waiting costs the service no
     * CPU; the final state is read once through the API.
     */
    private Job sync(Account account) throws Exception {
        long started = System.nanoTime();
        String jobId = api.post(account.devicePath() + "/sync-jobs", null, 202)
                .get("id")
                .asText();
        long deadline = started + JOB_TIMEOUT.toNanos();
        try (PreparedStatement s = db.prepareStatement("SELECT status, attempts FROM sync_job WHERE id = ?")) {
            s.setString(1, jobId);
            while (true) {
                String status;
                int attempts;
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new IllegalStateException("job " + jobId + " is not in sync_job");
                    }
                    status = r.getString(1);
                    attempts = r.getInt(2);
                }
                long elapsed = System.nanoTime() - started;
                if (status.equals("SUCCEEDED")) {
                    return new Job(api.get("/v1/sync-jobs/" + jobId), elapsed / 1_000_000);
                }
                if (status.equals("FAILED") || status.equals("CANCELLED") || attempts > 1) {
                    throw new IllegalStateException("sync of " + account.user() + " did not succeed at once: "
                            + api.get("/v1/sync-jobs/" + jobId));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sync of " + account.user() + " not final after " + JOB_TIMEOUT);
                }
                Thread.sleep(elapsed < 200_000_000L ? 2 : elapsed < 2_000_000_000L ? 10 : 100);
            }
        }
    }

    /** With PROFILE=true: dumps the service's flight recording and summarizes that window of it. */
    private void profile(String part, Instant from, Instant to, int jobs) throws Exception {
        if (!settings.profile) {
            return;
        }
        Path file = WORK.resolve("imap-sync-" + part + ".jfr");
        JfrProfile.dump(app.pid(), file);
        System.out.print(JfrProfile.summarize(file, from, to, imapPort, dbPort(settings.jdbcUrl), jobs));
    }

    private static int dbPort(String jdbcUrl) {
        Matcher m = Pattern.compile("^jdbc:postgresql://[^/:?]+:(\\d+)/").matcher(jdbcUrl);
        return m.find() ? Integer.parseInt(m.group(1)) : 5432;
    }

    /** Every series of /q/metrics by its name and labels; counters and timers only grow. */
    private Map<String, Double> metricsByLabels() throws Exception {
        Map<String, Double> out = new TreeMap<>();
        for (String raw : api.metrics().split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            try {
                out.put(line.substring(0, space).strip(), Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException | StringIndexOutOfBoundsException ignored) {
                // Not a sample line.
            }
        }
        return out;
    }

    /** after - before of the series of that name, summed over its labels. */
    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        double sum = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            String series = e.getKey();
            if (series.equals(name) || series.startsWith(name + "{")) {
                sum += e.getValue() - before.getOrDefault(series, 0.0);
            }
        }
        return sum;
    }

    /** How folders were refreshed in the window: {@code mailsync_sync_folder_refreshes_total} by path. */
    private static String paths(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Long> byPath = new TreeMap<>();
        Pattern path = Pattern.compile("path=\"([^\"]*)\"");
        for (Map.Entry<String, Double> e : after.entrySet()) {
            if (e.getKey().startsWith("mailsync_sync_folder_refreshes_total")) {
                Matcher m = path.matcher(e.getKey());
                long d = Math.round(e.getValue() - before.getOrDefault(e.getKey(), 0.0));
                if (m.find() && d > 0) {
                    byPath.merge(m.group(1), d, Long::sum);
                }
            }
        }
        return byPath.isEmpty() ? "(no mailsync_sync_folder_refreshes_total change)" : byPath.toString();
    }

    // --- the mirror, read from the database -------------------------------------------------------

    private record MirrorCount(long live, long withSubject, long withPreview, long flagged) {}

    private MirrorCount mirrorCount(String accountId) throws Exception {
        try (PreparedStatement s = db.prepareStatement("SELECT count(*), count(m.subject), count(m.preview),"
                + " count(*) FILTER (WHERE '\\Flagged' = ANY (m.flags))"
                + " FROM mirror_message m JOIN mirror_folder f ON f.id = m.folder_id"
                + " WHERE m.account_id = ? AND f.name = 'INBOX' AND f.destroyed_seq IS NULL"
                + " AND m.destroyed_seq IS NULL")) {
            s.setString(1, accountId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new MirrorCount(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4));
            }
        }
    }

    // --- memory -----------------------------------------------------------------------------------

    /** Polls the service's heap use from /q/metrics while a sync runs. */
    private static final class HeapWatch {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong peak = new AtomicLong();
        private final AtomicLong samples = new AtomicLong();
        private Thread thread;

        static HeapWatch start(BenchApi api, long everyMillis) {
            HeapWatch w = new HeapWatch();
            w.thread = Thread.ofPlatform().daemon().name("heap-watch").start(() -> {
                while (w.running.get()) {
                    try {
                        long used = 0;
                        for (String line : api.metrics().split("\n")) {
                            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                                used += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                            }
                        }
                        w.peak.accumulateAndGet(used, Math::max);
                        w.samples.incrementAndGet();
                        Thread.sleep(everyMillis);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // A slow scrape under load: try again.
                    }
                }
            });
            return w;
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(5_000);
        }

        long peakBytes() {
            return peak.get();
        }

        long samples() {
            return samples.get();
        }
    }

    /** The service's GC pauses in a window of its {@code -Xlog:gc} file. */
    private record GcSummary(int pauses, double pauseMillis, double maxBeforeMb, double maxAfterMb, double heapMb) {
        static GcSummary read(Path log, long fromByte) throws IOException {
            if (!Files.exists(log)) {
                return new GcSummary(0, 0, 0, 0, 0);
            }
            byte[] all = Files.readAllBytes(log);
            String window = new String(
                    all,
                    (int) Math.min(fromByte, all.length),
                    (int) Math.max(0, all.length - fromByte),
                    StandardCharsets.UTF_8);
            int pauses = 0;
            double pauseMs = 0;
            double maxBefore = 0;
            double maxAfter = 0;
            double heap = 0;
            for (String line : window.split("\n")) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    pauses++;
                    maxBefore = Math.max(maxBefore, mb(m.group(1), m.group(2)));
                    maxAfter = Math.max(maxAfter, mb(m.group(3), m.group(4)));
                    heap = Math.max(heap, mb(m.group(5), m.group(6)));
                    pauseMs += Double.parseDouble(m.group(7));
                }
            }
            return new GcSummary(pauses, pauseMs, maxBefore, maxAfter, heap);
        }

        private static double mb(String value, String unit) {
            double v = Double.parseDouble(value);
            return switch (unit) {
                case "K" -> v / 1024;
                case "G" -> v * 1024;
                default -> v;
            };
        }

        @Override
        public String toString() {
            return pauses == 0
                    ? "no GC pause in the window"
                    : String.format(
                            Locale.ROOT,
                            "%d pauses, %.0f ms in total, heap before GC at most %.0f MB, after GC at most %.0f MB"
                                    + " (committed at most %.0f MB)",
                            pauses,
                            pauseMillis,
                            maxBeforeMb,
                            maxAfterMb,
                            heapMb);
        }
    }

    private static String peakRss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.0f MB", kb / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "unknown (" + e + ")";
        }
        return "unknown";
    }

    // --- facts ------------------------------------------------------------------------------------

    private Map<String, String> properties() {
        Map<String, String> p = BenchApp.serviceProperties(settings.jdbcUrl, settings.dbUser, settings.dbPassword);
        p.put("mailsync.sync.summary-chunk", Integer.toString(settings.summaryChunk));
        if (settings.workers != null) {
            p.put("mailsync.jobs.workers", settings.workers);
        }
        return p;
    }

    private String token() {
        return BenchApp.token(subject);
    }

    private void printFacts() throws Exception {
        System.out.println("== mailsync IMAP sync benchmark ==");
        line("command", "%s", settings.command);
        line(
                "settings",
                "SIZES=%s MAIL_FORMAT=%s REPEAT=%d WARMUP=%d ROUNDS=%d CHANGES=%d FLOOR_RUNS=%d summary chunk %d"
                        + " JIT_WARMUP=%s workers=%s%s",
                settings.sizes,
                settings.mailFormat,
                settings.repeat,
                settings.warmup,
                settings.rounds,
                settings.changes,
                settings.floorRuns,
                settings.summaryChunk,
                settings.jitWarmup,
                settings.workers == null ? "default (4)" : settings.workers,
                settings.profile
                        ? " PROFILE=true (JFR in the service: slower, figures for finding where time goes)"
                        : "");
        line(
                "machine",
                "%d cores (availableProcessors), %.1f GB RAM, %s %s %s",
                Runtime.getRuntime().availableProcessors(),
                memTotalGb(),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("os.arch"));
        line("load", "%s", loadAverage());
        BenchReport.jdkDovecotAndPostgres(settings.jdbcUrl, settings.dbUser, settings.dbPassword);
    }

    private static double memTotalGb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // Not Linux: unknown.
        }
        return Double.NaN;
    }

    /** The 1, 5 and 15 minute load averages (other work on the same cores skews every figure). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load average " + f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min, "
                    + Runtime.getRuntime().availableProcessors() + " cores)";
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static String user(int size) {
        return "bench-" + size;
    }

    /** The client's commands of recorded sessions, by verb with counts: "LOGIN, LIST, STATUS x6, LOGOUT". */
    private static String describe(List<List<String>> sessions) {
        List<String> parts = new ArrayList<>();
        int commands = 0;
        for (List<String> session : sessions) {
            List<String> verbs = new ArrayList<>();
            for (String line : session) {
                String[] words = line.split(" ");
                if (words.length < 2) {
                    continue; // a SASL continuation line
                }
                String verb = words[1].toUpperCase(Locale.ROOT);
                if ((verb.equals("UID") || verb.equals("ENABLE")) && words.length > 2) {
                    verb = verb + " " + words[2].toUpperCase(Locale.ROOT);
                }
                verbs.add(verb);
                commands++;
            }
            List<String> compact = new ArrayList<>();
            for (int i = 0; i < verbs.size(); ) {
                int j = i;
                while (j < verbs.size() && verbs.get(j).equals(verbs.get(i))) {
                    j++;
                }
                compact.add(j - i > 1 ? verbs.get(i) + " x" + (j - i) : verbs.get(i));
                i = j;
            }
            parts.add(String.join(", ", compact));
        }
        return commands + " commands on " + sessions.size() + " connection(s): " + String.join(" | ", parts);
    }

    /** RFC 3501 sequence set of these UIDs, runs as ranges (the service's own). */
    static String uidSet(List<Long> uids) {
        return dev.mailsync.sync.UidRange.toSet(new ArrayList<>(new TreeSet<>(uids)));
    }

    private static String stats(List<Long> values) {
        List<Double> d = values.stream().map(Long::doubleValue).toList();
        return String.format(
                Locale.ROOT,
                "median %.0f ms, p90 %.0f ms, min %.0f ms, max %.0f ms (%d runs)",
                median(d),
                percentile(d, 90),
                percentile(d, 0),
                percentile(d, 100),
                d.size());
    }

    /** Nearest-rank percentile; 0 is the minimum, 100 the maximum. */
    static double percentile(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String list(List<Double> values) {
        return String.join(
                ", ",
                values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
    }

    /** What {@code imap-sync.sh} passes in the environment. */
    private record Settings(
            List<Integer> sizes,
            int repeat,
            int warmup,
            int rounds,
            int changes,
            int floorRuns,
            int summaryChunk,
            boolean jitWarmup,
            boolean profile,
            String mailFormat,
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
            List<Integer> sizes = Arrays.stream(
                            env.getOrDefault("SIZES", "1000,100000").split(","))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .map(Integer::parseInt)
                    .sorted()
                    .distinct()
                    .toList();
            if (sizes.isEmpty() || sizes.get(0) < 1) {
                throw new IllegalArgumentException("SIZES must list positive message counts, e.g. 1000,100000");
            }
            String workers = env.get("WORKERS");
            return new Settings(
                    sizes,
                    number(env, "REPEAT", 20),
                    number(env, "WARMUP", 3),
                    number(env, "ROUNDS", 5),
                    number(env, "CHANGES", 100),
                    number(env, "FLOOR_RUNS", 3),
                    number(env, "SUMMARY_CHUNK", 500),
                    !"false"
                            .equalsIgnoreCase(
                                    env.getOrDefault("JIT_WARMUP", "true").strip()),
                    "true".equalsIgnoreCase(env.getOrDefault("PROFILE", "false").strip()),
                    mailFormat(env.getOrDefault("MAIL_FORMAT", "maildir")),
                    workers == null || workers.isBlank() ? null : workers,
                    url,
                    env.getOrDefault("QUARKUS_DATASOURCE_USERNAME", ""),
                    env.getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""),
                    List.of(env.getOrDefault("APP_JAVA_OPTS", "-Xmx512m")
                            .strip()
                            .split("\\s+")),
                    env.getOrDefault("BENCH_COMMAND", "(run directly, not through src/bench/imap-sync.sh)"));
        }

        private static String mailFormat(String value) {
            String format = value.strip().toLowerCase(Locale.ROOT);
            if (!format.equals("maildir") && !format.equals("mdbox")) {
                throw new IllegalArgumentException("MAIL_FORMAT must be maildir or mdbox, not " + value);
            }
            return format;
        }

        private static int number(Map<String, String> env, String name, int fallback) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                int n = Integer.parseInt(value.strip());
                if (n < 1) {
                    throw new IllegalArgumentException(name + " must be at least 1, not " + value);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, not " + value, e);
            }
        }
    }
}
