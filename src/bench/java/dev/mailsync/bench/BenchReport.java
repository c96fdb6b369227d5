package dev.mailsync.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** How the bench harnesses print: one labelled line a figure, elapsed times, the Dovecot in use, medians. */
final class BenchReport {
    private BenchReport() {}

    /** {@code label: formatted}, flushed at once (a long run shows its progress). */
    static void line(String label, String format, Object... args) {
        System.out.println(label + ": " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /** Seconds since {@code startedNanos} ({@link System#nanoTime}), as "12.3 s". */
    static String since(long startedNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startedNanos) / 1e9);
    }

    /** {@code dovecot --version} of the binary the test harness starts. */
    static String dovecotVersion() {
        String binary = System.getenv().getOrDefault("MAILSYNC_DOVECOT_BINARY", "/usr/sbin/dovecot");
        try {
            Process p = new ProcessBuilder(binary, "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out + " (" + binary + ")";
        } catch (IOException | InterruptedException e) {
            return "unknown (" + e + ")";
        }
    }

    /** The median; NaN for an empty list. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** The lines naming the JDK, the Dovecot and the PostgreSQL (its version, at that URL) of the run. */
    static void jdkDovecotAndPostgres(String jdbcUrl, String user, String password) throws java.sql.SQLException {
        line(
                "JDK",
                "%s %s (%s), used for the service and the bench",
                System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                System.getProperty("java.home"));
        line("dovecot", "%s", dovecotVersion());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl, user, password);
                java.sql.Statement s = c.createStatement();
                java.sql.ResultSet r = s.executeQuery("SELECT version()")) {
            r.next();
            line("PostgreSQL", "%s at %s", r.getString(1).replaceAll(" on .*", ""), jdbcUrl);
        }
    }
}
