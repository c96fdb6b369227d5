package dev.mailsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a sync job's time goes, from a JDK Flight Recorder recording of the service ({@code PROFILE=true}):
 * the job workers' blocking socket reads split by peer (IMAP server, PostgreSQL, other) — time spent
 * waiting for an answer — and their CPU samples by method, plus CPU samples per thread group. Only events
 * inside a time window (one part of the benchmark) count. Profiling costs time itself: figures of a
 * profiled run are for finding where time goes, not for the record.
 */
final class JfrProfile {
    static final String RECORDING = "mailsync-bench";

    /** The service's JVM options that start the recording (socket reads of any length, CPU every 5 ms). */
    static List<String> jvmOptions() {
        return List.of("-XX:StartFlightRecording:name=" + RECORDING + ",settings=profile"
                + ",jdk.SocketRead#threshold=0ms,jdk.SocketWrite#threshold=0ms,jdk.ExecutionSample#period=5ms");
    }

    private JfrProfile() {}

    /** Dumps the running recording of process {@code pid} with {@code jcmd} to {@code file}. */
    static void dump(long pid, Path file) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(
                        jcmd.toString(),
                        Long.toString(pid),
                        "JFR.dump",
                        "name=" + RECORDING,
                        "filename=" + file.toAbsolutePath())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(file)) {
            throw new IOException("jcmd JFR.dump failed: " + out);
        }
    }

    /** A few lines of text: waiting by peer and CPU by method for the workers, CPU by thread group. */
    static String summarize(Path file, Instant from, Instant to, int imapPort, int dbPort, int jobs)
            throws IOException {
        Map<String, double[]> waits = new LinkedHashMap<>(); // peer -> {count, millis, bytes}
        Map<String, Integer> workerTop = new HashMap<>();
        Map<String, Integer> workerOwn = new HashMap<>();
        Map<String, Integer> byThread = new HashMap<>();
        int workerSamples = 0;
        int allSamples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
                continue;
            }
            String type = e.getEventType().getName();
            if (type.equals("jdk.SocketRead") || type.equals("jdk.SocketWrite")) {
                RecordedThread t = e.getThread();
                if (t == null || !isWorker(t)) {
                    continue;
                }
                int port = e.getInt("port");
                String peer = port == imapPort ? "IMAP" : port == dbPort ? "PostgreSQL" : "port " + port;
                String key = peer + (type.equals("jdk.SocketRead") ? " read" : " write");
                double[] w = waits.computeIfAbsent(key, k -> new double[3]);
                w[0]++;
                w[1] += e.getDuration().toNanos() / 1e6;
                w[2] += type.equals("jdk.SocketRead") ? e.getLong("bytesRead") : e.getLong("bytesWritten");
            } else if (type.equals("jdk.ExecutionSample")) {
                RecordedThread t = e.getThread("sampledThread");
                allSamples++;
                byThread.merge(group(t), 1, Integer::sum);
                if (t != null && isWorker(t)) {
                    workerSamples++;
                    RecordedStackTrace stack = e.getStackTrace();
                    if (stack != null && !stack.getFrames().isEmpty()) {
                        workerTop.merge(method(stack.getFrames().get(0)), 1, Integer::sum);
                        workerOwn.merge(firstOwn(stack.getFrames()), 1, Integer::sum);
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "profile: JFR %s, window %d ms, %d job(s); per job:%n",
                file,
                java.time.Duration.between(from, to).toMillis(),
                jobs));
        double perJob = Math.max(1, jobs);
        waits.forEach((peer, w) -> out.append(String.format(
                Locale.ROOT,
                "  workers blocked in %-16s %7.1f ms in %6.1f calls (%,.0f bytes)%n",
                peer + ":",
                w[1] / perJob,
                w[0] / perJob,
                w[2] / perJob)));
        out.append(String.format(
                Locale.ROOT,
                "  worker CPU samples: %.1f per job (one every 5 ms of CPU); all threads: %.1f per job %s%n",
                workerSamples / perJob,
                allSamples / perJob,
                top(byThread, 6, allSamples)));
        out.append("  worker CPU by innermost mailsync frame: ")
                .append(top(workerOwn, 8, workerSamples))
                .append('\n');
        out.append("  worker CPU by top frame: ")
                .append(top(workerTop, 8, workerSamples))
                .append('\n');
        return out.toString();
    }

    private static boolean isWorker(RecordedThread t) {
        String name = t.getJavaName();
        return name != null && name.startsWith("mailsync-worker-");
    }

    private static String group(RecordedThread t) {
        String name = t == null || t.getJavaName() == null ? "?" : t.getJavaName();
        return name.replaceAll("[-_ #]?\\d+$", "").replaceAll("\\d+", "N");
    }

    private static String method(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    private static String firstOwn(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("dev.mailsync.")) {
                return method(f);
            }
        }
        return "(no mailsync frame)";
    }

    private static String top(Map<String, Integer> counts, int n, int total) {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : sorted.subList(0, Math.min(n, sorted.size()))) {
            parts.add(String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100.0 * e.getValue() / Math.max(1, total)));
        }
        return "[" + String.join(", ", parts) + "]";
    }
}
