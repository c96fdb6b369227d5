package dev.mailsync.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CPU time spent by the processes of a benchmark run between two snapshots, from Linux's {@code /proc}:
 * the service (its pid), PostgreSQL (every {@code postgres} process), Dovecot (its processes; a session's
 * process that has exited counts in its parent's children's time), the bench's own JVM (the raw client and
 * the API calls), the kernel's workers (writeback), and how busy the machine's cores were in all. It tells
 * whether a figure is bounded by one component or by the cores themselves. Ticks are {@code USER_HZ}
 * (100 a second on Linux), so each figure is good to about 10 ms.
 */
final class CpuMeter {
    private static final double TICK_SECONDS = 0.01;
    private static final Set<String> DOVECOT =
            Set.of("dovecot", "pop3", "pop3-login", "imap", "imap-login", "auth", "anvil", "log", "config", "stats");

    private final long servicePid;
    private final long benchPid = ProcessHandle.current().pid();

    CpuMeter(long servicePid) {
        this.servicePid = servicePid;
    }

    /**
     * CPU ticks per group at one moment, the service's own ticks per kind of thread, and the machine's busy
     * ticks over all cores.
     */
    record Snapshot(Map<String, Long> groups, Map<String, Long> serviceThreads, long machineBusy, long nanos) {}

    Snapshot snapshot() {
        Map<String, Long> groups = new LinkedHashMap<>();
        for (String g : new String[] {"service", "PostgreSQL", "Dovecot", "bench client", "kernel"}) {
            groups.put(g, 0L);
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                Stat stat = Stat.read(p);
                String group = stat == null
                        ? null
                        : group(Long.parseLong(p.getFileName().toString()), stat.comm());
                if (group != null) {
                    groups.merge(group, stat.withChildren(), Long::sum);
                }
            }
            return new Snapshot(groups, serviceThreads(groups.get("service")), machineBusy(), System.nanoTime());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
    }

    /** One line: each group's CPU seconds between the two snapshots, and the cores' use over the wall time. */
    static String between(Snapshot before, Snapshot after) {
        StringBuilder line = new StringBuilder();
        appendSeconds(line, before.groups(), after.groups());
        line.append("(service: ");
        appendSeconds(line, before.serviceThreads(), after.serviceThreads());
        line.setLength(line.length() - 2);
        line.append("), ");
        double wall = (after.nanos() - before.nanos()) / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        double busy = (after.machineBusy() - before.machineBusy()) * TICK_SECONDS;
        line.append(String.format(
                Locale.ROOT,
                "machine busy %.2f s of %.2f s (%d cores × %.2f s wall, %.0f %%)",
                busy,
                cores * wall,
                cores,
                wall,
                100 * busy / (cores * wall)));
        return line.toString();
    }

    /** "name 1.23 s, " for each entry: the seconds between the two snapshots' ticks. */
    private static void appendSeconds(StringBuilder line, Map<String, Long> before, Map<String, Long> after) {
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long ticks = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            line.append(String.format(Locale.ROOT, "%s %.2f s, ", e.getKey(), ticks * TICK_SECONDS));
        }
    }

    /**
     * The service's ticks by kind of thread (Linux keeps the first 15 characters of a thread's name).
     * Threads that have exited count only in the process's total, so "exited and other" is the total less
     * the live threads named here.
     */
    private Map<String, Long> serviceThreads(long total) throws IOException {
        Map<String, Long> kinds = new LinkedHashMap<>();
        for (String k : new String[] {"job workers", "store threads", "JIT", "GC", "HTTP"}) {
            kinds.put(k, 0L);
        }
        long named = 0;
        Path tasks = Path.of("/proc", Long.toString(servicePid), "task");
        if (!Files.isDirectory(tasks)) {
            return kinds;
        }
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path t : threads) {
                Stat stat = Stat.read(t);
                String kind = stat == null ? null : threadKind(stat.comm());
                if (kind != null) {
                    // A thread's own time (its children's columns are the process's).
                    kinds.merge(kind, stat.own(), Long::sum);
                    named += stat.own();
                }
            }
        }
        kinds.put("exited and other", total - named);
        return kinds;
    }

    /** The kind of a service thread by its (truncated) name, or null for one not counted by kind. */
    private static String threadKind(String name) {
        if (name.startsWith("mailsync-worke")) {
            return "job workers";
        }
        if (name.startsWith("mailsync-store")) {
            return "store threads";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "JIT";
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return "GC";
        }
        if (name.startsWith("vert.x") || name.startsWith("executor-thread")) {
            return "HTTP";
        }
        return null;
    }

    private String group(long pid, String comm) {
        if (pid == servicePid) {
            return "service";
        }
        if (pid == benchPid) {
            return "bench client";
        }
        if (comm.equals("postgres")) {
            return "PostgreSQL";
        }
        if (DOVECOT.contains(comm)) {
            return "Dovecot";
        }
        if (comm.startsWith("kworker") || comm.startsWith("ksoftirqd") || comm.startsWith("jbd2")) {
            return "kernel";
        }
        return null;
    }

    /**
     * A process's or thread's {@code stat}: its command name, its own ticks (utime + stime, fields 14–15)
     * and those with its exited children's (+ cutime + cstime, fields 16–17).
     */
    private record Stat(String comm, long own, long withChildren) {
        /** The {@code stat} file in that /proc directory; null if the process or thread is gone. */
        static Stat read(Path dir) {
            String stat;
            try {
                stat = Files.readString(dir.resolve("stat"));
            } catch (IOException gone) {
                return null; // exited between the listing and the read
            }
            int close = stat.lastIndexOf(')');
            String[] f = stat.substring(close + 2).split(" ");
            // f[0] is field 3 (state): field n is f[n - 3].
            long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return new Stat(
                    stat.substring(stat.indexOf('(') + 1, close),
                    own,
                    own + Long.parseLong(f[13]) + Long.parseLong(f[14]));
        }
    }

    private static long machineBusy() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
        String[] f = cpu.trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal ...
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }
}
