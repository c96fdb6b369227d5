package dev.mailsync.store;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.sql.SQLException;

/**
 * The one way mailsync opens a transaction: a short one of its own around a piece of database work (no
 * {@code @Transactional}, no other idiom; {@code DependencyRuleTest} keeps it so). Mail I/O and DNS lookups
 * never run inside one: callers read, talk to the server, then write, each database step in its own
 * {@code Tx.call} or {@code Tx.run}.
 */
public final class Tx {
    private Tx() {}

    /** Database work that may throw {@link SQLException}. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    /** Database work without a result. */
    @FunctionalInterface
    public interface VoidWork {
        void run() throws SQLException;
    }

    private static final Timer TIMER = Timer.builder("mailsync.db.transaction")
            .description("time in short database transactions")
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

    /** Runs {@code work} in a new transaction; SQL failures leave as unchecked exceptions. */
    public static void run(VoidWork work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    /** Whether the calling thread is inside a transaction (for code that must never run in one). */
    public static boolean active() {
        return QuarkusTransaction.isActive();
    }
}
