package dev.mailsync.jobs;

import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.pop3.Pop3Client;
import dev.mailsync.mail.pop3.Pop3Messages;
import dev.mailsync.store.AccountRepository;
import dev.mailsync.store.DeltaStore;
import dev.mailsync.store.JobStore;
import dev.mailsync.store.MirrorStore;
import dev.mailsync.store.Pop3Store;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.Account;
import dev.mailsync.sync.ChangeResult;
import dev.mailsync.sync.ChangeResult.Status;
import dev.mailsync.sync.DeviceChange;
import dev.mailsync.sync.DeviceChange.Delete;
import dev.mailsync.sync.DeviceChange.ImapOnly;
import dev.mailsync.sync.DeviceChange.SetFlags;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.sync.Pop3Planner;
import dev.mailsync.sync.Pop3Retention;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * One POP3 sync: the device's changes (DELETE, SET_FLAGS on the mirror), then one POP3 session —
 * STAT, UIDL + LIST, RETR of every new message (each stored with its mirror row in one transaction),
 * DELE of what the policy allows, QUIT. Deletions are recorded only after QUIT answered {@code +OK}; a
 * session that ends any other way deleted nothing and the job is retried. The rules are {@link
 * Pop3Planner}'s; this class only carries them out.
 */
@ApplicationScoped
public class Pop3Sync {
    private static final Logger LOG = Logger.getLogger(Pop3Sync.class);
    static final String NOT_SUPPORTED_POP3 =
            "NOT_SUPPORTED: a POP3 account has only INBOX and no server-side flags; only DELETE and SET_FLAGS"
                    + " (kept in mailsync) apply";

    private final AccountRepository accounts;
    private final MirrorStore mirror;
    private final DeltaStore deltas;
    private final Pop3Store store;
    private final MailSessions sessions;
    private final MailsyncConfig config;
    private final Clock clock;
    private final MeterRegistry metrics;

    @Inject
    public Pop3Sync(
            AccountRepository accounts,
            MirrorStore mirror,
            DeltaStore deltas,
            Pop3Store store,
            MailSessions sessions,
            MailsyncConfig config,
            Clock clock,
            MeterRegistry metrics) {
        this.accounts = accounts;
        this.mirror = mirror;
        this.deltas = deltas;
        this.store = store;
        this.sessions = sessions;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** What a POP3 sync did besides the device's changes; stored on the job and shown in its result. */
    public record Report(
            int downloaded,
            List<Pop3Planner.Skip> skipped,
            List<DeletionDone> deleted,
            int confirmedDeleted,
            int released,
            Maildrop maildrop) {}

    /** A message deleted on the server in this sync, and the policy (or device delete) that caused it. */
    public record DeletionDone(String uidl, Pop3Planner.DeleteReason policy) {}

    public record Maildrop(int count, long sizeBytes) {}

    SyncRunner.Outcome run(JobStore.Claim claim, SafePoint safePoint, MailEndpoint endpoint)
            throws MailAccessException, JobCancelledException {
        String accountId = claim.job().accountId();
        long token = claim.leaseToken();
        Account account =
                Tx.call(() -> accounts.byId(accountId)).orElseThrow(() -> new IllegalStateException("account is gone"));
        Pop3Retention retention = account.pop3Retention() == null ? Pop3Retention.KEEP : account.pop3Retention();

        List<ChangeResult> results = applyChanges(claim, account.deleteOnServerWhenDeletedOnDevice());
        safePoint.check();

        try (Pop3Client pop3 = Pop3Client.open(sessions, endpoint)) {
            Pop3Client.Stat stat = pop3.stat();
            List<Pop3Planner.Listed> listing = pop3.listing();
            Instant now = clock.instant();
            Tx.call(() -> {
                store.recordMaildrop(accountId, token, new Pop3Store.Maildrop(stat.count(), stat.sizeBytes(), now));
                return null;
            });
            List<Pop3Planner.Stored> stored = Tx.call(() -> store.stored(accountId));
            List<Pop3Planner.Device> devices = Tx.call(() -> store.devices(accountId));
            Pop3Planner.Plan plan = Pop3Planner.plan(new Pop3Planner.Input(
                    listing,
                    stored,
                    devices,
                    retention,
                    account.deleteOnServerWhenDeletedOnDevice(),
                    config.pop3().maxMessageSize(),
                    config.pop3().staleDeviceAfter(),
                    now));
            // Committed before any download: a UIDL relisted after its DELE was committed by QUIT +OK is
            // downloaded as a new message, which the live-UIDL unique index lets in only once the old one
            // is GONE. A crash in between leaves it GONE and the new message for the next sync.
            Tx.call(() -> {
                store.confirmGone(accountId, token, plan.confirmedGone(), now);
                store.retire(accountId, token, plan.retire(), now);
                store.release(accountId, token, plan.release(), now);
                return null;
            });
            String inbox = Tx.call(() -> store.inbox(accountId, token));

            List<Pop3Planner.Skip> skipped = new ArrayList<>(plan.skips());
            Downloads downloads = new Downloads(accountId, token, inbox);
            try {
                // With PIPELINING the server is a few RETRs ahead: it reads the next messages while this
                // thread parses the last one.
                pop3.willRetrieve(plan.downloads().stream()
                        .map(Pop3Planner.Listed::number)
                        .toList());
                long checkedAt = System.nanoTime();
                for (Pop3Planner.Listed message : plan.downloads()) {
                    // A safe-point check is a database read: once a second, not once a message.
                    if (System.nanoTime() - checkedAt > SAFE_POINT_EVERY_NANOS) {
                        safePoint.check();
                        checkedAt = System.nanoTime();
                    }
                    Pop3Spool spool = download(pop3, message);
                    if (spool == null) {
                        skipped.add(
                                new Pop3Planner.Skip(message.uidl(), message.size(), Pop3Planner.SkipReason.TOO_LARGE));
                    } else {
                        // The summary is parsed here, while the store thread writes the previous batch.
                        downloads.add(new Pending(message, spool, summary(spool)));
                    }
                }
                downloads.finish();
            } finally {
                downloads.close();
            }
            int downloaded = downloads.stored;
            long downloadNanos = downloads.retrNanos;
            long storeNanos = downloads.storeNanos;
            safePoint.check();
            // From the first DELE to QUIT's +OK nothing else happens: the deletions count only as a whole.
            for (Pop3Planner.Deletion d : plan.deletions()) {
                pop3.delete(d.number());
            }
            pop3.quit();
            Instant after = clock.instant();
            Tx.call(() -> {
                store.deleteSent(accountId, token, plan.deletions(), after);
                return null;
            });
            count("downloaded", downloaded);
            count("skipped", skipped.size());
            count("deleted", plan.deletions().size());
            count("confirmed_deleted", plan.confirmedGone().size());
            Report report = new Report(
                    downloaded,
                    skipped,
                    plan.deletions().stream()
                            .map(d -> new DeletionDone(d.uidl(), d.reason()))
                            .toList(),
                    plan.confirmedGone().size(),
                    plan.release().size(),
                    new Maildrop(stat.count(), stat.sizeBytes()));
            Tx.call(() -> {
                store.saveReport(accountId, token, claim.job().id(), report);
                return null;
            });
            LOG.infof(
                    "account %s: POP3 sync downloaded %d (%d ms in all, of which storing %d ms on the store thread), skipped %d,"
                            + " deleted %d, confirmed %d deletions",
                    accountId,
                    downloaded,
                    downloadNanos / 1_000_000,
                    storeNanos / 1_000_000,
                    skipped.size(),
                    plan.deletions().size(),
                    plan.confirmedGone().size());
            return new SyncRunner.Outcome(Tx.call(() -> deltas.seqs(accountId).current()), results);
        }
    }

    static final long SAFE_POINT_EVERY_NANOS = 1_000_000_000L;

    /**
     * Messages per storing transaction, and the most a batch keeps in memory (larger ones are files). 250
     * rather than 100: fewer commits, fences and sequence allocations (bench: the store thread's time per
     * 2,000-message sync 233–330 ms against 303–393 ms), while the last batch, stored after the last RETR,
     * stays short.
     */
    static final int BATCH_MESSAGES = 250;

    static final long BATCH_MEMORY = 8L * 1024 * 1024;
    static final int IN_MEMORY_UP_TO = 256 * 1024;

    /** A downloaded message waiting for its batch to be stored. */
    private record Pending(Pop3Planner.Listed listed, Pop3Spool spool, MessageSummary summary) {}

    /** The summary of a downloaded message; POP3 has no arrival date, the download time stands for it. */
    private MessageSummary summary(Pop3Spool spool) {
        try {
            Instant downloadedAt = clock.instant();
            byte[] buffer = spool.buffer();
            return buffer != null
                    ? Pop3Messages.summary(buffer, Math.toIntExact(spool.size()), downloadedAt)
                    : Pop3Messages.summary(spool.file(), spool.size(), downloadedAt);
        } catch (RuntimeException e) {
            spool.discard();
            throw e;
        }
    }

    /**
     * RETR into a spool (memory for small messages, a temporary file beyond {@value #IN_MEMORY_UP_TO}
     * bytes: memory stays bounded whatever the size). Null if the message turned out larger than the
     * limit (nothing kept).
     */
    private Pop3Spool download(Pop3Client pop3, Pop3Planner.Listed message) throws MailAccessException {
        Pop3Spool spool = new Pop3Spool(IN_MEMORY_UP_TO);
        try {
            long size = pop3.retrieve(message.number(), spool, config.pop3().maxMessageSize());
            spool.finish();
            if (size < 0) {
                spool.discard();
                return null;
            }
            return spool;
        } catch (IOException e) {
            spool.discard();
            throw new UncheckedIOException("cannot spool a downloaded message to a temporary file", e);
        } catch (MailAccessException | RuntimeException e) {
            spool.discard();
            throw e;
        }
    }

    /**
     * Stores downloaded messages in batches on a second thread while the session goes on downloading (and
     * parsing summaries): each batch is stored in one transaction there, in order, with at most one
     * batch in flight and one being filled (bounded memory). A failure of a batch fails the sync; what
     * earlier batches stored stays (their UIDLs are known, nothing is downloaded twice).
     */
    private final class Downloads implements AutoCloseable {
        private final String accountId;
        private final long token;
        private final String inbox;
        private final BackgroundStore<List<Pending>> storer = new BackgroundStore<>(this::store);
        private List<Pending> batch = new ArrayList<>();
        private long batchMemory;
        private final long started = System.nanoTime();
        volatile int stored;
        long retrNanos;
        volatile long storeNanos;

        Downloads(String accountId, long token, String inbox) {
            this.accountId = accountId;
            this.token = token;
            this.inbox = inbox;
        }

        void add(Pending p) {
            batch.add(p);
            batchMemory += p.spool().memoryBytes();
            if (batch.size() >= BATCH_MESSAGES || batchMemory >= BATCH_MEMORY) {
                flush();
            }
        }

        void finish() {
            flush();
            storer.finish();
            retrNanos = System.nanoTime() - started;
        }

        /** Hands the batch to the store thread once the one before is stored (its failure becomes ours). */
        private void flush() {
            if (batch.isEmpty()) {
                return;
            }
            List<Pending> full = batch;
            batch = new ArrayList<>();
            batchMemory = 0;
            storer.submit(full);
        }

        private void store(List<Pending> pending) {
            long t = System.nanoTime();
            try {
                Instant now = clock.instant();
                List<Pop3Store.Downloaded> rows = new ArrayList<>(pending.size());
                for (Pending p : pending) {
                    rows.add(new Pop3Store.Downloaded(
                            p.listed().uidl(),
                            p.listed().size(),
                            p.summary(),
                            p.spool(),
                            p.spool().size()));
                }
                Tx.call(() -> store.storeDownloaded(accountId, token, inbox, rows, now));
                stored += pending.size();
            } finally {
                pending.forEach(p -> p.spool().discard());
                storeNanos += System.nanoTime() - t;
            }
        }

        @Override
        public void close() {
            // Waits for a store still running: the retry of a failed sync must see what it did.
            storer.close();
            batch.forEach(p -> p.spool().discard());
        }
    }

    /**
     * A POP3 device's changes need no server: DELETE removes the message from that device's view only (the
     * other devices keep it), or — with deleteOnServerWhenDeletedOnDevice — from every device's view, and
     * makes it due on the server in this very sync; SET_FLAGS is kept in the mirror for the other devices
     * (NOT_FOUND for a message the device deleted). Anything else is REJECTED, never dropped.
     */
    private List<ChangeResult> applyChanges(JobStore.Claim claim, boolean deleteOnServer) {
        String accountId = claim.job().accountId();
        String deviceId = claim.job().deviceId();
        long token = claim.leaseToken();
        Instant now = clock.instant();
        List<DeviceChange> changes = claim.job().changes();
        List<ChangeResult> results = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            DeviceChange change = changes.get(i);
            int index = i;
            BiFunction<Status, String, ChangeResult> result = (status, reason) ->
                    new ChangeResult(index, change.changeId(), change.kind().name(), status, reason);
            switch (change) {
                case Delete delete -> {
                    String messageId = delete.messageId();
                    Pop3Store.DeviceDelete deleted = Tx.call(
                            () -> store.deleteByDevice(accountId, token, messageId, deviceId, deleteOnServer, now));
                    results.add(
                            switch (deleted) {
                                case APPLIED -> result.apply(Status.APPLIED, null);
                                case ALREADY_APPLIED -> result.apply(Status.ALREADY_APPLIED, null);
                                case NOT_FOUND -> result.apply(Status.NOT_FOUND, "no such message (it may be gone)");
                            });
                }
                case SetFlags setFlags -> {
                    String messageId = setFlags.messageId();
                    Optional<MirrorStore.MessageTarget> target =
                            Tx.call(() -> mirror.liveMessage(accountId, messageId));
                    if (target.isEmpty() || Tx.call(() -> store.hiddenFrom(deviceId, messageId))) {
                        results.add(result.apply(Status.NOT_FOUND, "no such message (it may be gone)"));
                        continue;
                    }
                    Set<String> flags = new HashSet<>(target.get().flags());
                    Set<String> before = Set.copyOf(flags);
                    flags.addAll(setFlags.add());
                    flags.removeAll(setFlags.remove());
                    if (flags.equals(before)) {
                        results.add(result.apply(Status.ALREADY_APPLIED, null));
                    } else {
                        Tx.call(() -> {
                            mirror.setFlagsByDevice(accountId, token, messageId, flags, deviceId);
                            return null;
                        });
                        results.add(result.apply(Status.APPLIED, null));
                    }
                }
                case ImapOnly imapOnly -> results.add(result.apply(Status.REJECTED, NOT_SUPPORTED_POP3));
            }
        }
        return results;
    }

    private void count(String event, int n) {
        if (n > 0) {
            metrics.counter("mailsync.pop3.messages", "event", event).increment(n);
        }
    }
}
