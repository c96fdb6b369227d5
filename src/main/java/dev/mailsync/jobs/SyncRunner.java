package dev.mailsync.jobs;

import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.imap.ChangedSince;
import dev.mailsync.mail.imap.FolderScan;
import dev.mailsync.mail.imap.ImapConnection;
import dev.mailsync.store.AccountRepository;
import dev.mailsync.store.DeltaStore;
import dev.mailsync.store.DeviceRepository;
import dev.mailsync.store.JobStore;
import dev.mailsync.store.MirrorFolder;
import dev.mailsync.store.MirrorStore;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.Account;
import dev.mailsync.sync.DeviceView;
import dev.mailsync.sync.FolderInfo;
import dev.mailsync.sync.FolderPlanner;
import dev.mailsync.sync.FolderScanPlan;
import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.ImapScanPlanner;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.sync.MirrorMessageRef;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.RefreshPlanner;
import dev.mailsync.sync.RefreshPlanner.Known;
import dev.mailsync.sync.RefreshPlanner.Path;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Runs one claimed job: refreshes the account mirror from the server. Mail I/O runs outside any
 * transaction; each write to the mirror is its own short transaction, fenced by the lease token. The
 * folder's server state is recorded only after all its new messages are in, so a crash or a retry
 * repeats work but never skips it.
 */
@ApplicationScoped
public class SyncRunner {
    private static final Logger LOG = Logger.getLogger(SyncRunner.class);

    /**
     * New messages in one folder from which on the job refreshes PostgreSQL's statistics of the mirror
     * right after (in the background): after a first sync of a large folder the planner would otherwise not know the
     * folder is large until autovacuum gets to it, and picks plans that scan the folder.
     */
    static final int ANALYZE_AFTER = 10_000;

    private final AccountRepository accounts;
    private final DeviceRepository devices;
    private final MirrorStore mirror;
    private final DeltaStore deltas;
    private final MailSessions sessions;
    private final MailsyncConfig config;
    private final Clock clock;
    private final MeterRegistry metrics;

    /** POP3 accounts are synchronised by their own engine. */
    private final Pop3Sync pop3;

    @Inject
    public SyncRunner(
            AccountRepository accounts,
            DeviceRepository devices,
            MirrorStore mirror,
            DeltaStore deltas,
            MailSessions sessions,
            MailsyncConfig config,
            Clock clock,
            MeterRegistry metrics,
            Pop3Sync pop3) {
        this.pop3 = pop3;
        this.metrics = metrics;
        this.accounts = accounts;
        this.devices = devices;
        this.mirror = mirror;
        this.deltas = deltas;
        this.sessions = sessions;
        this.config = config;
        this.clock = clock;
    }

    /** What the account looks like to this job: where to connect and what the devices want. */
    record Target(MailEndpoint endpoint, List<DeviceView> views, dev.mailsync.sync.ImapDeleteMode deleteMode) {}

    /** What a job did: the account's change number once everything is in, and one result per change. */
    record Outcome(long stateSeq, List<dev.mailsync.sync.ChangeResult> results, QuotaReading quota) {
        Outcome(long stateSeq, List<dev.mailsync.sync.ChangeResult> results) {
            this(stateSeq, results, null);
        }
    }

    /**
     * What the server said of the mailbox's storage in this sync ({@code usage} null: no quota), recorded
     * with the job's result in its finishing transaction. A null reading means the quota was not read.
     */
    record QuotaReading(dev.mailsync.sync.QuotaUsage usage, java.time.Instant at) {}

    /**
     * Writes the device's changes back, then refreshes the mirror from the server. One trace span per job
     * when tracing is on (OpenTelemetry, off by default), with the job, account and device ids.
     */
    @io.opentelemetry.instrumentation.annotations.WithSpan("mailsync.sync.job")
    Outcome refresh(JobStore.Claim claim, SafePoint safePoint)
            throws MailAccessException, JobCancelledException, PermanentFailure {
        io.opentelemetry.api.trace.Span.current()
                .setAttribute("mailsync.job.id", claim.job().id())
                .setAttribute("mailsync.account.id", claim.job().accountId())
                .setAttribute("mailsync.device.id", claim.job().deviceId());
        String accountId = claim.job().accountId();
        long token = claim.leaseToken();
        Target target = Tx.call(() -> {
            Account a = accounts.byId(accountId).orElseThrow(() -> new IllegalStateException("account is gone"));
            return new Target(
                    new MailEndpoint(
                            a.protocol(), a.host(), a.port(), a.security(), a.username(), accounts.password(accountId)),
                    devices.viewsOf(accountId),
                    a.imapDeleteMode());
        });
        if (target.endpoint().protocol() == Protocol.POP3) {
            return pop3.run(claim, safePoint, target.endpoint());
        }
        SyncPhases phases = new SyncPhases();
        phases.enter(SyncPhases.Phase.CONNECT);
        try (ImapConnection imap = ImapConnection.open(sessions, target.endpoint())) {
            phases.enter(SyncPhases.Phase.WRITE_BACK);
            List<dev.mailsync.sync.ChangeResult> results =
                    DeviceChanges.apply(imap, mirror, claim.job(), token, target.deleteMode(), clock.instant());
            safePoint.check();
            phases.enter(SyncPhases.Phase.DETECT);
            Map<String, MirrorFolder> known = Tx.call(() -> mirror.liveFolders(accountId)).stream()
                    .collect(Collectors.toMap(MirrorFolder::name, Function.identity()));
            // INBOX's STATUS before LIST: Dovecot's maildir answers it in milliseconds as a session's first
            // mailbox command, but needs 0.1-0.5 s at 100,000 messages once a LIST came first.
            FolderStatus inboxFirst =
                    RefreshPlanner.statusFirst(server(imap), known(known.get(INBOX))) ? imap.status(INBOX) : null;
            List<FolderInfo> serverFolders = imap.listFolders();
            List<FolderPlanner.MirrorFolderRef> refs = known.values().stream()
                    .map(f -> new FolderPlanner.MirrorFolderRef(
                            f.id(), f.name(), f.delimiter(), f.specialUse(), f.uidValidity()))
                    .toList();
            FolderPlanner.Plan folderPlan = FolderPlanner.plan(refs, serverFolders);
            List<FolderInfo> candidates = folderPlan.renameCandidates(refs);
            if (!candidates.isEmpty()) {
                Map<String, Long> uidValidities = new java.util.HashMap<>();
                for (FolderInfo f : candidates) {
                    uidValidities.put(f.name(), imap.status(f.name()).uidValidity());
                }
                folderPlan = FolderPlanner.plan(refs, serverFolders, uidValidities);
            }
            FolderPlanner.Plan applied = folderPlan;
            phases.enter(SyncPhases.Phase.APPLY);
            // Nothing to change in the folder list (the usual case): the ids are those just read.
            Map<String, String> folderIds = applied.isEmpty()
                    ? known.values().stream().collect(Collectors.toMap(MirrorFolder::name, MirrorFolder::id))
                    : Tx.call(() -> mirror.applyFolderPlan(accountId, token, applied, clock.instant()));
            // A renamed folder is refreshed from what the mirror knew of it under its old name.
            Map<String, MirrorFolder> byId =
                    known.values().stream().collect(Collectors.toMap(MirrorFolder::id, Function.identity()));
            for (FolderPlanner.Updated r : folderPlan.rename()) {
                known.put(r.info().name(), byId.get(r.id()));
                LOG.infof(
                        "account %s: folder %s renamed to %s on the server",
                        accountId, r.id(), r.info().name());
            }

            for (FolderInfo folder : FolderPlanner.toRefresh(serverFolders, target.views())) {
                safePoint.check();
                phases.enter(SyncPhases.Phase.DETECT);
                refreshFolder(
                        imap,
                        accountId,
                        token,
                        folder,
                        folderIds.get(folder.name()),
                        known.get(folder.name()),
                        INBOX.equals(folder.name()) ? inboxFirst : null,
                        phases);
            }
            phases.enter(SyncPhases.Phase.DETECT);
            QuotaReading quota = readQuota(imap, accountId);
            phases.enter(SyncPhases.Phase.APPLY);
            return new Outcome(Tx.call(() -> deltas.seqs(accountId).current()), results, quota);
        } finally {
            phases.record(metrics, "imap");
        }
    }

    /** Quota is news, not state: a server that cannot tell does not fail the sync (null: not read). */
    private QuotaReading readQuota(ImapConnection imap, String accountId) {
        try {
            return new QuotaReading(imap.quota().orElse(null), clock.instant());
        } catch (MailAccessException e) {
            LOG.infof("account %s: quota not available (%s)", accountId, e.code());
            return null;
        }
    }

    private static final String INBOX = "INBOX";

    /** What a refresh read from the server and what it plans to do about it. */
    private record Refresh(Path path, FolderStatus status, FolderScanPlan plan) {}

    /** The mirror's live message count of one folder, read once and only if a rule asks for it. */
    private final class LiveCount implements LongSupplier {
        private final String folderId;
        private long value = -1;

        LiveCount(String folderId) {
            this.folderId = folderId;
        }

        @Override
        public long getAsLong() {
            if (value < 0) {
                value = Tx.call(() -> mirror.liveCount(folderId));
            }
            return value;
        }
    }

    private void refreshFolder(
            ImapConnection imap,
            String accountId,
            long token,
            FolderInfo folder,
            String folderId,
            MirrorFolder mirrored,
            FolderStatus statusAlreadyRead,
            SyncPhases phases)
            throws MailAccessException {
        Known known = known(mirrored);
        RefreshPlanner.Server server = server(imap);
        FolderStatus status = !RefreshPlanner.statusFirst(server, known)
                ? null
                : statusAlreadyRead != null ? statusAlreadyRead : imap.status(folder.name());
        // Only this job writes the account's mirror (its lease), so the count stays valid for the plan below.
        LiveCount live = new LiveCount(folderId);
        Path path = RefreshPlanner.path(server, known, status, live);
        Refresh refresh = switch (path) {
            case UNCHANGED -> null;
            case NEW -> refreshNew(imap, folder, known);
            case QRESYNC -> {
                Optional<Refresh> quick = refreshQresync(imap, folder, folderId, known, live.getAsLong());
                yield quick.isPresent()
                        ? quick.get()
                        : refreshCondstore(imap, folder, folderId, known, path.fallback());
            }
            case CONDSTORE -> refreshCondstore(imap, folder, folderId, known, path);
            case SCAN -> refreshScan(imap, folder, folderId, known);
        };
        count(refresh == null ? path : refresh.path());
        if (refresh != null) {
            apply(imap, accountId, token, folder, folderId, refresh.plan(), refresh.status(), phases);
        }
    }

    private static Known known(MirrorFolder mirrored) {
        return mirrored == null
                ? Known.NEVER
                : new Known(
                        mirrored.uidValidity(), mirrored.uidNext(), mirrored.messageCount(), mirrored.highestModSeq());
    }

    private static RefreshPlanner.Server server(ImapConnection imap) {
        return new RefreshPlanner.Server(imap.hasCondstore(), imap.hasQresync());
    }

    /**
     * Nothing of the folder in the mirror (a first sync, a folder that was empty, a reset that left
     * nothing): every message is new and its flags come with its summary, so the UIDs are enough.
     */
    private Refresh refreshNew(ImapConnection imap, FolderInfo folder, Known known) throws MailAccessException {
        ChangedSince listing = imap.uidList(folder.name());
        return new Refresh(
                Path.NEW,
                listing.status(),
                ImapScanPlanner.planChanges(
                        known.uidValidity(), List.of(), listing.status(), List.of(), listing.allUids()));
    }

    /** QRESYNC, or empty when its answer cannot be used (then CONDSTORE follows). */
    private Optional<Refresh> refreshQresync(
            ImapConnection imap, FolderInfo folder, String folderId, Known known, long live)
            throws MailAccessException {
        Optional<ImapConnection.Qresync> resync =
                imap.qresync(folder.name(), known.uidValidity(), known.highestModSeq());
        if (resync.isEmpty()) {
            return Optional.empty();
        }
        ImapConnection.Qresync q = resync.get();
        // Only the mirror rows the server named are read, not the whole folder.
        return Tx.call(() -> ImapScanPlanner.planQresync(
                        known.uidNext(),
                        live,
                        mirror.liveMessagesAt(
                                folderId,
                                q.changed().stream()
                                        .map(dev.mailsync.sync.MessageFlags::uid)
                                        .toList(),
                                q.vanished()),
                        q.status(),
                        q.changed(),
                        q.vanished()))
                .map(plan -> new Refresh(Path.QRESYNC, q.status(), plan));
    }

    private Refresh refreshCondstore(ImapConnection imap, FolderInfo folder, String folderId, Known known, Path path)
            throws MailAccessException {
        List<MirrorMessageRef> refs = Tx.call(() -> mirror.liveMessages(folderId));
        ChangedSince changes = imap.changedSince(folder.name(), known.highestModSeq(), known.uidNext());
        return new Refresh(
                path,
                changes.status(),
                ImapScanPlanner.planChanges(
                        known.uidValidity(), refs, changes.status(), changes.changed(), changes.allUids()));
    }

    private Refresh refreshScan(ImapConnection imap, FolderInfo folder, String folderId, Known known)
            throws MailAccessException {
        FolderScan scan = imap.scanFolder(folder.name());
        List<MirrorMessageRef> refs = Tx.call(() -> mirror.liveMessages(folderId));
        return new Refresh(
                Path.SCAN,
                scan.status(),
                ImapScanPlanner.plan(known.uidValidity(), refs, scan.status(), scan.messages()));
    }

    private void count(Path path) {
        metrics.counter("mailsync.sync.folder.refreshes", "path", path.name().toLowerCase(java.util.Locale.ROOT))
                .increment();
    }

    private void apply(
            ImapConnection imap,
            String accountId,
            long token,
            FolderInfo folder,
            String folderId,
            FolderScanPlan plan,
            FolderStatus serverStatus,
            SyncPhases phases)
            throws MailAccessException {
        phases.enter(SyncPhases.Phase.APPLY);
        if (plan.reset()) {
            LOG.infof("account %s folder %s: UIDVALIDITY changed, folder reset", accountId, folderId);
        }
        if (!plan.destroyMessageIds().isEmpty() || !plan.flagChanges().isEmpty()) {
            Tx.call(() -> {
                mirror.applyScan(accountId, token, plan, clock.instant());
                return null;
            });
        }
        phases.enter(SyncPhases.Phase.FETCH);
        int chunkSize = config.sync().summaryChunk();
        java.util.function.Consumer<List<MessageSummary>> insert = chunk -> Tx.call(() -> {
            mirror.insertMessages(accountId, token, folderId, chunk);
            return null;
        });
        if (plan.uidsToFetch().size() <= chunkSize) {
            imap.fetchSummaries(folder.name(), plan.uidsToFetch(), chunkSize, insert);
        } else {
            // Many new messages (a first sync): the next chunk is read while the last one is stored.
            try (BackgroundStore<List<MessageSummary>> store = new BackgroundStore<>(insert)) {
                imap.fetchSummaries(folder.name(), plan.uidsToFetch(), chunkSize, store::submit);
                store.finish();
            }
            if (plan.uidsToFetch().size() >= ANALYZE_AFTER) {
                mirror.analyzeSoon();
            }
        }
        phases.enter(SyncPhases.Phase.APPLY);
        Tx.call(() -> {
            mirror.updateFolderStatus(accountId, token, folderId, serverStatus);
            return null;
        });
        LOG.debugf(
                "account %s folder %s: %d new, %d flag changes, %d removed",
                accountId,
                folderId,
                plan.uidsToFetch().size(),
                plan.flagChanges().size(),
                plan.destroyMessageIds().size());
    }
}
