package dev.mailsync.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.mail.MailAccessException;
import dev.mailsync.store.AccountRepository;
import dev.mailsync.store.JobStore;
import dev.mailsync.store.SyncJob;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.Account;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.JobStatus;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The workers of this replica: a bounded pool of platform threads (Angus Mail is synchronized, so
 * virtual threads would pin their carriers before JDK 24) that claim jobs from PostgreSQL, run them,
 * renew their account lease while they work, and record the outcome. Graceful shutdown stops at the
 * next safe point and lets the leases go so another replica continues at once.
 */
@ApplicationScoped
public class JobWorkers {
    private static final Logger LOG = Logger.getLogger(JobWorkers.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How often a running job asks the database whether its user cancelled it, at most. */
    static final Duration CANCEL_CHECK_EVERY = Duration.ofMillis(250);

    private final JobStore jobs;
    private final AccountRepository accounts;
    private final SyncRunner runner;
    private final MailsyncConfig config;
    private final Clock clock;
    private final AgroalDataSource dataSource;
    private final MeterRegistry metrics;
    private final Backoff backoff;
    private final String workerId;
    private final Object signal = new Object();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();

    private ExecutorService pool;
    private ScheduledExecutorService heartbeats;
    private JobWakeup wakeup;

    @Inject
    public JobWorkers(
            JobStore jobs,
            AccountRepository accounts,
            SyncRunner runner,
            MailsyncConfig config,
            Clock clock,
            AgroalDataSource dataSource,
            MeterRegistry metrics) {
        this.jobs = jobs;
        this.accounts = accounts;
        this.runner = runner;
        this.config = config;
        this.clock = clock;
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.backoff =
                new Backoff(config.jobs().backoffBase(), config.jobs().backoffMax(), RandomGenerator.getDefault());
        this.workerId = hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    void start(@Observes StartupEvent event) {
        if (!config.jobs().enabled()) {
            LOG.info("job workers disabled (mailsync.jobs.enabled=false): this instance serves the API only");
            return;
        }
        running.set(true);
        int size = config.jobs().workers();
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(
                size,
                r -> Thread.ofPlatform()
                        .name("mailsync-worker-" + n.incrementAndGet())
                        .unstarted(r));
        heartbeats = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("mailsync-heartbeat").unstarted(r));
        wakeup = new JobWakeup(dataSource, signal);
        Thread.ofPlatform().daemon().name("mailsync-job-wakeup").start(wakeup);
        for (int i = 0; i < size; i++) {
            pool.submit(this::loop);
        }
        LOG.infof("%d job workers started as %s", size, workerId);
    }

    void stop(@Observes ShutdownEvent event) {
        if (!running.getAndSet(false)) {
            return;
        }
        wakeup.stop();
        synchronized (signal) {
            signal.notifyAll();
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(config.jobs().shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                stopping.set(true); // running jobs stop at their next safe point
                pool.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeats.shutdownNow();
        try {
            int released = Tx.call(() -> jobs.releaseAll(workerId));
            LOG.infof("job workers stopped; %d leases released", released);
        } catch (RuntimeException e) {
            LOG.warnf("could not release leases at shutdown: %s (they expire by themselves)", e.getMessage());
        }
    }

    /** Wakes idle workers of this replica (the API calls it after enqueueing, NOTIFY does the rest). */
    public void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void loop() {
        while (running.get()) {
            Optional<JobStore.Claim> claim;
            try {
                Instant now = clock.instant();
                claim = Tx.call(
                        () -> jobs.claim(workerId, now, now.plus(config.jobs().leaseDuration())));
            } catch (RuntimeException e) {
                LOG.warnf("claiming a job failed: %s", e.getMessage());
                claim = Optional.empty();
            }
            if (claim.isPresent()) {
                execute(claim.get());
            } else {
                synchronized (signal) {
                    try {
                        signal.wait(config.jobs().pollInterval().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    void execute(JobStore.Claim claim) {
        SyncJob job = claim.job();
        MDC.put("jobId", job.id());
        MDC.put("accountId", job.accountId());
        MDC.put("deviceId", job.deviceId());
        if (claim.takeover()) {
            metrics.counter("mailsync.sync.lease.takeovers").increment();
            LOG.infof("job %s taken over after its worker's lease expired (attempt %d)", job.id(), job.attempts());
        }
        AtomicBoolean leaseLost = new AtomicBoolean();
        Duration lease = config.jobs().leaseDuration();
        long every = Math.max(100, lease.toMillis() / 3);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(
                () -> {
                    try {
                        Instant now = clock.instant();
                        JobStore.Renewal renewal = Tx.call(
                                () -> jobs.heartbeat(job.accountId(), workerId, claim.leaseToken(), now.plus(lease)));
                        if (renewal == JobStore.Renewal.LOST) {
                            leaseLost.set(true);
                        }
                    } catch (RuntimeException e) {
                        LOG.warnf("heartbeat failed: %s", e.getMessage());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        // A user's cancel is a database read: at most once per CANCEL_CHECK_EVERY, not at every safe point
        // (a sync with nothing to do passes one per folder and is over in a few tens of milliseconds).
        long[] lastCancelCheck = {System.nanoTime()};
        SafePoint safePoint = () -> {
            if (leaseLost.get()) {
                throw new JobCancelledException("lease lost", true);
            }
            if (stopping.get()) {
                throw new JobCancelledException("replica shutting down", true);
            }
            long nowNanos = System.nanoTime();
            if (nowNanos - lastCancelCheck[0] >= CANCEL_CHECK_EVERY.toNanos()) {
                lastCancelCheck[0] = nowNanos;
                if (Tx.call(() -> jobs.cancelRequested(job.id()))) {
                    throw new JobCancelledException("cancelled by the user", false);
                }
            }
        };
        Timer.Sample sample = Timer.start(metrics);
        String outcome = "succeeded";
        try {
            SyncRunner.Outcome done = runner.refresh(claim, safePoint);
            long seq = done.stateSeq();
            Instant now = clock.instant();
            Tx.call(() -> {
                jobs.finish(
                        job,
                        claim.leaseToken(),
                        JobStatus.SUCCEEDED,
                        DeviceChanges.json(done.results()),
                        seq,
                        null,
                        null,
                        null,
                        now);
                accounts.recordSync(job.accountId(), now);
                if (done.quota() != null) {
                    accounts.recordQuota(
                            job.accountId(), done.quota().usage(), done.quota().at());
                }
                return null;
            });
            LOG.infof("job %s succeeded: device can read up to change %d", job.id(), seq);
        } catch (MailAccessException e) {
            outcome = failed(claim, e.code(), e.getMessage(), e.code().retryable());
        } catch (PermanentFailure e) {
            outcome = failed(claim, e.code, e.getMessage(), false);
        } catch (JobCancelledException e) {
            if (e.leaseLost) {
                outcome = "abandoned";
                LOG.infof("job %s stopped at a safe point: %s", job.id(), e.getMessage());
            } else {
                outcome = "cancelled";
                finish(claim, JobStatus.CANCELLED, FailureCode.CANCELLED, "cancelled by the user while running", null);
            }
        } catch (JobStore.StaleLeaseException e) {
            outcome = "abandoned";
            LOG.warnf("job %s lost its lease to another worker; its writes were refused", job.id());
        } catch (RuntimeException e) {
            LOG.errorf(e, "job %s failed unexpectedly", job.id());
            outcome = failed(claim, FailureCode.INTERNAL, "unexpected failure inside mailsync", true);
        } finally {
            heartbeat.cancel(false);
            sample.stop(metrics.timer("mailsync.sync.job.duration", "outcome", outcome));
            MDC.remove("jobId");
            MDC.remove("accountId");
            MDC.remove("deviceId");
        }
    }

    /** Records a failure: retried with backoff when that may help, final otherwise. */
    private String failed(JobStore.Claim claim, FailureCode code, String detail, boolean retryable) {
        SyncJob job = claim.job();
        Counter.builder("mailsync.sync.job.failures")
                .tag("code", code.name())
                .register(metrics)
                .increment();
        Account.LastError error = new Account.LastError(code, detail, clock.instant());
        try {
            Tx.call(() -> {
                accounts.recordError(job.accountId(), error);
                if (code == FailureCode.AUTH_FAILED) {
                    jobs.setAuthBlocked(job.accountId(), true);
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("could not record the error on account %s: %s", job.accountId(), e.getMessage());
        }
        if (retryable && job.attempts() < job.maxAttempts()) {
            if (Tx.call(() -> jobs.cancelRequested(job.id()))) {
                // The user cancelled while this attempt ran: no retry. (JobStore.finish also turns a retry
                // into CANCELLED when the request lands after this check.)
                finish(claim, JobStatus.CANCELLED, FailureCode.CANCELLED, "cancelled by the user while running", null);
                return "cancelled";
            }
            Instant retryAt = clock.instant().plus(backoff.after(job.attempts()));
            finish(claim, JobStatus.QUEUED, code, detail, retryAt);
            LOG.infof("job %s attempt %d failed with %s; retry at %s", job.id(), job.attempts(), code, retryAt);
            return "retry";
        }
        finish(claim, JobStatus.FAILED, code, detail, null);
        LOG.infof("job %s failed with %s: %s", job.id(), code, detail);
        return "failed";
    }

    private void finish(JobStore.Claim claim, JobStatus status, FailureCode code, String detail, Instant runAfter) {
        try {
            Instant now = clock.instant();
            Tx.call(() -> {
                jobs.finish(
                        claim.job(),
                        claim.leaseToken(),
                        status,
                        status == JobStatus.QUEUED
                                ? null
                                : DeviceChanges.json(DeviceChanges.notApplied(
                                        claim.job(),
                                        "not confirmed: the job ended " + status + " (" + code
                                                + "); send it again (SET_FLAGS is idempotent)")),
                        null,
                        code.name(),
                        detail,
                        runAfter,
                        now);
                return null;
            });
        } catch (JobStore.StaleLeaseException e) {
            LOG.warnf(
                    "job %s: outcome not recorded, the lease moved on",
                    claim.job().id());
        }
    }

    public String workerId() {
        return workerId;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "mailsync";
        }
    }
}
