package dev.mailsync.store;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.sql.SQLException;

/**
 * One short transaction of its own around a piece of database work. Mail I/O never runs inside one:
 * callers read, talk to the server, then write, each database step in its own {@code Tx.call}.
 */
public final class Tx {
    private Tx() {}

    /** Database work that may throw {@link SQLException}. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    private static final Timer TIMER = Timer.builder("mailsync.db.transaction")
            .description("time in short database transactions of the sync engine and the sync API")
            .register(Metrics.globalRegistry);

    /** Runs {@code work} in a new transaction; SQL failures leave as unchecked exceptions. */
    public static <T> T call(Work<T> work) {
        Timer.Sample sample = Timer.start();
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                try {
                    return work.run();
                } catch (SQLException e) {
                    throw new IllegalStateException("database failure: " + e.getMessage(), e);
                }
            });
        } finally {
            sample.stop(TIMER);
        }
    }
}
