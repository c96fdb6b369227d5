package dev.mailsync.service;

import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.jobs.JobWorkers;
import dev.mailsync.store.Ids;
import dev.mailsync.store.JobStore;
import dev.mailsync.store.StoredChanges;
import dev.mailsync.store.SyncJob;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.Device;
import dev.mailsync.sync.DeviceChange;
import dev.mailsync.sync.EnqueueOutcome;
import dev.mailsync.sync.JobStatus;
import dev.mailsync.sync.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.jboss.logging.Logger;

/** Sync jobs as the API sees them: schedule (with device changes), read, cancel, history. */
@ApplicationScoped
public class SyncJobService {
    private static final Logger LOG = Logger.getLogger(SyncJobService.class);

    private final DeviceService devices;
    private final JobStore jobs;
    private final JobWorkers workers;
    private final MailsyncConfig config;
    private final Clock clock;

    private final dev.mailsync.store.Pop3Store pop3Store;

    @Inject
    public SyncJobService(
            DeviceService devices,
            JobStore jobs,
            JobWorkers workers,
            MailsyncConfig config,
            Clock clock,
            dev.mailsync.store.Pop3Store pop3Store) {
        this.pop3Store = pop3Store;
        this.devices = devices;
        this.jobs = jobs;
        this.workers = workers;
        this.config = config;
        this.clock = clock;
    }

    /** What a POST answered: the job, and whether it was new, joined or a replay. */
    public record Scheduled(SyncJobView job, EnqueueOutcome outcome) {}

    public Scheduled schedule(
            String owner, String accountId, String deviceId, List<DeviceChange> changes, String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw new InvalidInputException("Idempotency-Key", "must be 1 to 255 characters");
        }
        List<DeviceChange> list = changes == null ? List.of() : changes;
        String changesJson = StoredChanges.encode(list);
        Device device = devices.get(owner, accountId, deviceId);
        String hash = sha256(changesJson);
        Instant now = clock.instant();
        JobStore.Request request = new JobStore.Request(
                Ids.next("job"),
                accountId,
                device.id(),
                "API",
                changesJson,
                list.size(),
                idempotencyKey,
                hash,
                config.jobs().maxAttempts(),
                now);
        JobStore.Enqueued enqueued;
        try {
            enqueued = enqueueOnce(request);
        } catch (RuntimeException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // Another request for this device won the race for the queued slot: join it now.
            enqueued = enqueueOnce(request);
        }
        workers.wake();
        LOG.infof("job %s %s for device %s", enqueued.job().id(), enqueued.outcome(), deviceId);
        return new Scheduled(SyncJobView.of(enqueued.job()), enqueued.outcome());
    }

    private JobStore.Enqueued enqueueOnce(JobStore.Request request) {
        try {
            return Tx.call(() -> {
                // A user asking for a sync is the signal to try a refused login again.
                jobs.setAuthBlocked(request.accountId(), false);
                return jobs.enqueue(request);
            });
        } catch (JobStore.IdempotencyConflict e) {
            throw new ConflictException(e.getMessage());
        }
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public SyncJobView get(String owner, String jobId) {
        return SyncJobView.of(Tx.call(() -> jobs.findOwned(owner, jobId))
                .orElseThrow(() -> new NotFoundException("no sync job " + jobId)));
    }

    /** A job and, for a POP3 sync, what it did (JSON text; null otherwise). */
    public record JobWithReport(SyncJobView job, String pop3Report) {}

    /** The caller's job with its POP3 report, read in one transaction (what a polling client asks for). */
    public JobWithReport getWithReport(String owner, String jobId) {
        JobWithReport read = Tx.call(() -> {
            SyncJob job = jobs.findOwned(owner, jobId).orElse(null);
            return job == null
                    ? null
                    : new JobWithReport(
                            SyncJobView.of(job), pop3Store.report(jobId).orElse(null));
        });
        if (read == null) {
            throw new NotFoundException("no sync job " + jobId);
        }
        return read;
    }

    /** Cancels a queued job, or asks a running one to stop at its next safe point. */
    public SyncJobView cancel(String owner, String jobId) {
        SyncJobView job = get(owner, jobId);
        if (job.status().isFinal()) {
            throw new ConflictException("job " + jobId + " already ended as " + job.status());
        }
        JobStatus now = Tx.call(() -> jobs.cancel(jobId, clock.instant()));
        LOG.infof("job %s cancel requested (%s)", jobId, now);
        return get(owner, jobId);
    }

    public Page<SyncJobView> history(String owner, String accountId, String deviceId, String cursor, int limit) {
        devices.get(owner, accountId, deviceId);
        return Cursors.guard(() -> Tx.call(() -> jobs.history(deviceId, cursor, limit)))
                .map(SyncJobView::of);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
