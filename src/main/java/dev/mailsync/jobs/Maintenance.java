package dev.mailsync.jobs;

import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.store.CensusStore;
import dev.mailsync.store.Ids;
import dev.mailsync.store.JobStore;
import dev.mailsync.store.MirrorStore;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.JobStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Periodic work of every replica, safe to run on all of them at once: device schedules (row locks make
 * each due sync enqueue once), failing jobs whose worker died on their last attempt, tombstone purge,
 * and the queue-depth gauges.
 */
@ApplicationScoped
public class Maintenance {
    private static final Logger LOG = Logger.getLogger(Maintenance.class);

    private final JobStore jobs;
    private final MirrorStore mirror;
    private final MailsyncConfig config;
    private final Clock clock;
    private final Map<JobStatus, AtomicLong> queue = new EnumMap<>(JobStatus.class);
    private final CensusStore censusStore;
    private final java.util.concurrent.atomic.AtomicReference<CensusStore.Census> census =
            new java.util.concurrent.atomic.AtomicReference<>(new CensusStore.Census(0, 0, 0, 0, 0, 0, 0));

    @Inject
    public Maintenance(
            JobStore jobs,
            MirrorStore mirror,
            CensusStore censusStore,
            MailsyncConfig config,
            Clock clock,
            MeterRegistry metrics) {
        this.jobs = jobs;
        this.mirror = mirror;
        this.censusStore = censusStore;
        this.config = config;
        this.clock = clock;
        censusGauge(
                metrics,
                "mailsync.mirror.messages",
                "live",
                "messages in the mirror",
                CensusStore.Census::liveMessages);
        censusGauge(
                metrics,
                "mailsync.mirror.messages",
                "tombstone",
                "messages in the mirror",
                CensusStore.Census::tombstones);
        censusGauge(
                metrics,
                "mailsync.mirror.folders",
                null,
                "live folders in the mirror",
                CensusStore.Census::liveFolders);
        censusGauge(
                metrics, "mailsync.devices", "current", "devices by sync state", CensusStore.Census::devicesCurrent);
        censusGauge(metrics, "mailsync.devices", "behind", "devices by sync state", CensusStore.Census::devicesBehind);
        censusGauge(
                metrics,
                "mailsync.devices.lag.changes.max",
                null,
                "the most changes a device has not acknowledged",
                CensusStore.Census::maxLagChanges);
        censusGauge(
                metrics,
                "mailsync.devices.lag.seconds.max",
                null,
                "the longest time since a device that is behind last acknowledged",
                CensusStore.Census::maxLagSeconds);
        for (JobStatus status : JobStatus.values()) {
            AtomicLong value = new AtomicLong();
            queue.put(status, value);
            Gauge.builder("mailsync.sync.jobs", value, AtomicLong::get)
                    .tag("status", status.name())
                    .description("sync jobs by status")
                    .register(metrics);
        }
    }

    @Scheduled(
            every = "${mailsync.jobs.schedule-tick:15s}",
            delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!config.jobs().enabled()) {
            return;
        }
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.warnf("maintenance tick failed: %s", e.getMessage());
        }
    }

    /** One round of the periodic work; public for tests. */
    public void runOnce() {
        Instant now = clock.instant();
        int queued = Tx.call(() -> jobs.enqueueDue(now, config.jobs().maxAttempts(), () -> Ids.next("job")));
        int reaped = Tx.call(() -> jobs.reapExhausted(now));
        if (queued > 0 || reaped > 0) {
            LOG.infof("schedules queued %d jobs; %d jobs failed after their last worker vanished", queued, reaped);
        }
        Tx.call(() -> jobs.countByStatus())
                .forEach((status, count) -> queue.get(status).set(count));
    }

    private void censusGauge(
            MeterRegistry metrics,
            String name,
            String state,
            String description,
            java.util.function.ToDoubleFunction<CensusStore.Census> value) {
        Gauge.Builder<?> gauge = Gauge.builder(name, census, ref -> value.applyAsDouble(ref.get()))
                .description(description);
        if (state != null) {
            gauge = gauge.tag("state", state);
        }
        gauge.register(metrics);
    }

    /**
     * Mirror sizes and device lag for the gauges (counts over the whole mirror: not every tick). One pass
     * at a time, so a pass that began earlier never overwrites the numbers of one that began later.
     */
    @Scheduled(
            every = "${mailsync.metrics.census-every:1m}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public synchronized void takeCensus() {
        try {
            census.set(Tx.call(censusStore::take));
        } catch (RuntimeException e) {
            LOG.warnf("census failed: %s", e.getMessage());
        }
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        if (!config.jobs().enabled()) {
            return;
        }
        Instant before = clock.instant().minus(config.sync().tombstoneRetention());
        int accounts = Tx.call(() -> mirror.purgeTombstones(before));
        if (accounts > 0) {
            LOG.infof("tombstones older than %s purged in %d accounts", before, accounts);
        }
    }
}
