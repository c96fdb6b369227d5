package dev.mailsync.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Where one sync job spends its time: the job moves from phase to phase ({@link #enter}), and at its end
 * the time of each phase is recorded once, as {@code mailsync.sync.phase.duration{phase, protocol}}.
 * Not thread-safe: one job, one thread.
 */
final class SyncPhases {
    enum Phase {
        /** Connecting and logging in. */
        CONNECT,
        /** Writing the device's changes back to the server. */
        WRITE_BACK,
        /** Finding out what changed: LIST, STATUS, QRESYNC/CONDSTORE or a scan, quota. */
        DETECT,
        /** Fetching summaries of new messages (with their chunked inserts into the mirror). */
        FETCH,
        /** Writing folder plans, flag changes, removals and folder status to the mirror. */
        APPLY
    }

    private final long[] nanos = new long[Phase.values().length];
    private Phase current;
    private long since;

    /** Ends the current phase (if any) and starts {@code next}. */
    void enter(Phase next) {
        long now = System.nanoTime();
        if (current != null) {
            nanos[current.ordinal()] += now - since;
        }
        current = next;
        since = now;
    }

    /** Ends the current phase and records every phase's time, zero included (a phase that never ran). */
    void record(MeterRegistry metrics, String protocol) {
        enter(null);
        for (Phase p : Phase.values()) {
            metrics.timer(
                            "mailsync.sync.phase.duration",
                            "phase",
                            p.name().toLowerCase(Locale.ROOT),
                            "protocol",
                            protocol)
                    .record(nanos[p.ordinal()], TimeUnit.NANOSECONDS);
        }
    }

    long nanos(Phase p) {
        return nanos[p.ordinal()];
    }
}
