package dev.mailsync.store;

import dev.mailsync.sync.EnqueueOutcome;
import dev.mailsync.sync.JobStatus;
import dev.mailsync.sync.Page;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job queue in PostgreSQL. Every method is one short transaction of its caller (JTA); none is
 * ever held across mail-server I/O. Claiming uses {@code FOR UPDATE SKIP LOCKED}; one worker per
 * account through {@code account_lease}, whose token fences every later write.
 */
@ApplicationScoped
public class JobStore {
    public static final String CHANNEL = "mailsync_jobs";

    private static final List<String> PLAIN_COLUMNS = List.of(
            "id",
            "account_id",
            "device_id",
            "status",
            "trigger",
            "attempts",
            "max_attempts",
            "run_after",
            "created_at",
            "started_at",
            "finished_at",
            "error_code",
            "error_detail",
            "cancel_requested",
            "lease_token",
            "state_seq");
    private static final String COLUMNS = columns(null);

    /** The select list, optionally qualified with a table alias; the JSON columns come back as text. */
    private static String columns(String alias) {
        String p = alias == null ? "" : alias + ".";
        StringBuilder sql = new StringBuilder();
        for (String column : PLAIN_COLUMNS) {
            sql.append(p).append(column).append(", ");
        }
        return sql.append(p)
                .append("changes::text AS changes, ")
                .append(p)
                .append("results::text AS results")
                .toString();
    }

    private final AgroalDataSource dataSource;

    @Inject
    public JobStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record Enqueued(SyncJob job, EnqueueOutcome outcome) {}

    /** A new request for a device. {@code changesJson} is a JSON array, already validated. */
    public record Request(
            String newJobId,
            String accountId,
            String deviceId,
            String trigger,
            String changesJson,
            int changeCount,
            String idempotencyKey,
            String bodySha256,
            int maxAttempts,
            Instant now) {}

    /** Raised when an Idempotency-Key comes back with a different body. */
    public static final class IdempotencyConflict extends RuntimeException {
        public IdempotencyConflict(String jobId) {
            super("this Idempotency-Key was used for another request (job " + jobId + ")");
        }
    }

    /**
     * Creates a job, or joins the device's fresh queued job (its changes are appended), or, for a known
     * Idempotency-Key, answers the job of the first request. The caller's transaction must retry on a
     * unique violation (two requests racing for the same device).
     */
    public Enqueued enqueue(Request r) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (r.idempotencyKey() != null) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT job_id, body_sha256 FROM sync_job_request WHERE device_id = ? AND idempotency_key = ?")) {
                    s.setString(1, r.deviceId());
                    s.setString(2, r.idempotencyKey());
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            String jobId = rs.getString(1);
                            if (!rs.getString(2).equals(r.bodySha256())) {
                                throw new IdempotencyConflict(jobId);
                            }
                            return new Enqueued(find(c, jobId).orElseThrow(), EnqueueOutcome.REPLAYED);
                        }
                    }
                }
            }
            String jobId = null;
            EnqueueOutcome outcome = EnqueueOutcome.CREATED;
            try (PreparedStatement s =
                    c.prepareStatement("SELECT id FROM sync_job WHERE device_id = ? AND status = 'QUEUED'"
                            + " AND attempts = 0 FOR UPDATE")) {
                s.setString(1, r.deviceId());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        jobId = rs.getString(1);
                        outcome = EnqueueOutcome.JOINED;
                    }
                }
            }
            if (jobId != null) {
                try (PreparedStatement s =
                        c.prepareStatement("UPDATE sync_job SET changes = changes || ?::jsonb WHERE id = ?")) {
                    s.setString(1, r.changesJson());
                    s.setString(2, jobId);
                    s.executeUpdate();
                }
            } else {
                jobId = r.newJobId();
                try (PreparedStatement s = c.prepareStatement("INSERT INTO sync_job (id, account_id, device_id, status,"
                        + " trigger, changes, attempts, max_attempts, run_after, created_at)"
                        + " VALUES (?, ?, ?, 'QUEUED', ?, ?::jsonb, 0, ?, ?, ?)")) {
                    s.setString(1, jobId);
                    s.setString(2, r.accountId());
                    s.setString(3, r.deviceId());
                    s.setString(4, r.trigger());
                    s.setString(5, r.changesJson());
                    s.setInt(6, r.maxAttempts());
                    s.setTimestamp(7, Jdbc.ts(r.now()));
                    s.setTimestamp(8, Jdbc.ts(r.now()));
                    s.executeUpdate();
                }
            }
            if (r.idempotencyKey() != null) {
                try (PreparedStatement s =
                        c.prepareStatement("INSERT INTO sync_job_request (device_id, idempotency_key,"
                                + " job_id, body_sha256, created_at) VALUES (?, ?, ?, ?, ?)")) {
                    s.setString(1, r.deviceId());
                    s.setString(2, r.idempotencyKey());
                    s.setString(3, jobId);
                    s.setString(4, r.bodySha256());
                    s.setTimestamp(5, Jdbc.ts(r.now()));
                    s.executeUpdate();
                }
            }
            notifyWorkers(c);
            return new Enqueued(find(c, jobId).orElseThrow(), outcome);
        }
    }

    /** Wakes the workers of every replica once the caller's transaction commits. */
    void notifyWorkers(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', '')")) {
            s.execute();
        }
    }

    public Optional<SyncJob> findOwned(String owner, String jobId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT " + columns("j") + " FROM sync_job j"
                        + " JOIN account a ON a.id = j.account_id WHERE j.id = ? AND a.owner = ?")) {
            s.setString(1, jobId);
            s.setString(2, owner);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(map(r)) : Optional.empty();
            }
        }
    }

    public Optional<SyncJob> find(String jobId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return find(c, jobId);
        }
    }

    private Optional<SyncJob> find(Connection c, String jobId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM sync_job WHERE id = ?")) {
            s.setString(1, jobId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(map(r)) : Optional.empty();
            }
        }
    }

    /** A device's jobs, newest first, keyset-paged on (created_at, id) descending. */
    public Page<SyncJob> history(String deviceId, String cursor, int limit) throws SQLException {
        PageCursor after = cursor == null ? null : PageCursor.decode(cursor);
        String sql = "SELECT " + COLUMNS + " FROM sync_job WHERE device_id = ?"
                + (after == null ? "" : " AND (created_at, id) < (?, ?)")
                + " ORDER BY created_at DESC, id DESC LIMIT ?";
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            s.setString(i++, deviceId);
            if (after != null) {
                s.setTimestamp(i++, Jdbc.ts(after.createdAt()));
                s.setString(i++, after.id());
            }
            s.setInt(i, limit + 1);
            List<SyncJob> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(map(r));
                }
            }
            String next = null;
            if (rows.size() > limit) {
                SyncJob last = rows.get(limit - 1);
                next = new PageCursor(last.createdAt(), last.id()).encode();
                rows = rows.subList(0, limit);
            }
            return new Page<>(List.copyOf(rows), next);
        }
    }

    /** Cancels a queued job at once; asks a running one to stop at its next safe point. */
    public JobStatus cancel(String jobId, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("UPDATE sync_job SET status = 'CANCELLED', finished_at = ?,"
                    + " error_code = 'CANCELLED', error_detail = 'cancelled before it started'"
                    + " WHERE id = ? AND status = 'QUEUED'")) {
                s.setTimestamp(1, Jdbc.ts(now));
                s.setString(2, jobId);
                if (s.executeUpdate() == 1) {
                    return JobStatus.CANCELLED;
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE sync_job SET cancel_requested = true WHERE id = ? AND status = 'RUNNING'")) {
                s.setString(1, jobId);
                if (s.executeUpdate() == 1) {
                    return JobStatus.RUNNING;
                }
            }
            return find(c, jobId).map(SyncJob::status).orElseThrow();
        }
    }

    /** A job this worker now runs, with the lease token every write must present. */
    public record Claim(SyncJob job, long leaseToken, boolean takeover) {}

    /**
     * Claims the oldest due job whose account no other worker holds: a queued job, or a running one whose
     * worker's lease expired (that worker died or stalled; its token is now stale).
     */
    public Optional<Claim> claim(String worker, Instant now, Instant leaseUntil) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String jobId;
            String accountId;
            boolean takeover;
            try (PreparedStatement s = c.prepareStatement("SELECT j.id, j.account_id, j.status FROM sync_job j"
                    + " LEFT JOIN account_lease l ON l.account_id = j.account_id"
                    + " WHERE ((j.status = 'QUEUED' AND j.run_after <= ?)"
                    + "     OR (j.status = 'RUNNING' AND j.attempts < j.max_attempts))"
                    + "   AND (l.expires_at IS NULL OR l.expires_at <= ?)"
                    + " ORDER BY j.run_after, j.created_at"
                    + " LIMIT 1 FOR UPDATE OF j SKIP LOCKED")) {
                s.setTimestamp(1, Jdbc.ts(now));
                s.setTimestamp(2, Jdbc.ts(now));
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    jobId = r.getString(1);
                    accountId = r.getString(2);
                    takeover = "RUNNING".equals(r.getString(3));
                }
            }
            Long token = null;
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO account_lease (account_id, holder, token, expires_at)"
                            + " VALUES (?, ?, 1, ?) ON CONFLICT (account_id) DO UPDATE"
                            + " SET holder = EXCLUDED.holder, token = account_lease.token + 1, expires_at = EXCLUDED.expires_at"
                            + " WHERE account_lease.expires_at IS NULL OR account_lease.expires_at <= ?"
                            + " RETURNING token")) {
                s.setString(1, accountId);
                s.setString(2, worker);
                s.setTimestamp(3, Jdbc.ts(leaseUntil));
                s.setTimestamp(4, Jdbc.ts(now));
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        token = r.getLong(1);
                    }
                }
            }
            if (token == null) {
                return Optional.empty(); // another worker took this account a moment ago
            }
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE sync_job SET status = 'RUNNING', attempts = attempts + 1,"
                            + " started_at = ?, worker = ?, lease_token = ?, finished_at = NULL WHERE id = ?")) {
                s.setTimestamp(1, Jdbc.ts(now));
                s.setString(2, worker);
                s.setLong(3, token);
                s.setString(4, jobId);
                s.executeUpdate();
            }
            return Optional.of(new Claim(find(c, jobId).orElseThrow(), token, takeover));
        }
    }

    /** What a heartbeat found. */
    public enum Renewal {
        /** The lease runs until the new time. */
        RENEWED,
        /** The lease row is locked, by this worker's own fenced write or by a takeover: try again later. */
        BUSY,
        /** Another worker holds the account now. */
        LOST
    }

    /**
     * Renews the lease. It never waits for a row lock: the job's own fenced writes lock this row for the
     * length of their transaction (a first sync's chunk of summaries takes a while), and one waiting
     * heartbeat would hold up the heartbeats of every other job of this replica behind it, until their
     * leases expire and other replicas take them over. A locked row is {@link Renewal#BUSY}; the next
     * beat tries again, well before the lease ends.
     */
    public Renewal heartbeat(String accountId, String worker, long token, Instant leaseUntil) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT holder, token FROM account_lease" + " WHERE account_id = ? FOR UPDATE SKIP LOCKED")) {
                s.setString(1, accountId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Renewal.BUSY;
                    }
                    if (!worker.equals(r.getString(1)) || r.getLong(2) != token) {
                        return Renewal.LOST;
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE account_lease SET expires_at = ?" + " WHERE account_id = ? AND holder = ? AND token = ?")) {
                s.setTimestamp(1, Jdbc.ts(leaseUntil));
                s.setString(2, accountId);
                s.setString(3, worker);
                s.setLong(4, token);
                return s.executeUpdate() == 1 ? Renewal.RENEWED : Renewal.LOST;
            }
        }
    }

    /** Thrown when a write presents a lease token that is no longer the account's. */
    public static final class StaleLeaseException extends RuntimeException {
        public StaleLeaseException(String accountId, long token) {
            super("lease token " + token + " of account " + accountId + " is stale");
        }
    }

    /**
     * Fencing: locks the account's lease row for the rest of the caller's transaction and checks that
     * {@code token} is still current, so no newer holder can interleave with this write.
     */
    public static void fence(Connection c, String accountId, long token) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT token FROM account_lease WHERE account_id = ? FOR UPDATE")) {
            s.setString(1, accountId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next() || r.getLong(1) != token) {
                    throw new StaleLeaseException(accountId, token);
                }
            }
        }
    }

    /** Ends a job (fenced): SUCCEEDED, FAILED or CANCELLED, or back to QUEUED for a retry at runAfter. */
    public void finish(
            SyncJob job,
            long token,
            JobStatus status,
            String resultsJson,
            Long stateSeq,
            String errorCode,
            String errorDetail,
            Instant runAfter,
            Instant now)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            fence(c, job.accountId(), token);
            // A retry (QUEUED) of a job whose cancel was requested meanwhile ends CANCELLED instead: the row
            // lock orders this against the cancel request, so none is lost.
            try (PreparedStatement s = c.prepareStatement("UPDATE sync_job SET status = CASE WHEN ?::text = 'QUEUED'"
                    + " AND cancel_requested THEN 'CANCELLED' ELSE ?::text END, results = ?::jsonb,"
                    + " state_seq = ?, error_code = ?, error_detail = ?, run_after = COALESCE(?, run_after),"
                    + " finished_at = CASE WHEN ?::text = 'QUEUED' AND cancel_requested THEN ?::timestamptz"
                    + " ELSE ?::timestamptz END, worker = NULL"
                    + " WHERE id = ? AND status = 'RUNNING' AND lease_token = ?")) {
                s.setString(1, status.name());
                s.setString(2, status.name());
                int at = 3;
                s.setString(at++, resultsJson);
                Jdbc.setNullableLong(s, at++, stateSeq);
                s.setString(at++, errorCode);
                s.setString(at++, errorDetail);
                s.setTimestamp(at++, Jdbc.ts(runAfter));
                s.setString(at++, status.name());
                s.setTimestamp(at++, Jdbc.ts(now));
                s.setTimestamp(at++, status.isFinal() ? Jdbc.ts(now) : null);
                s.setString(at++, job.id());
                s.setLong(at, token);
                if (s.executeUpdate() != 1) {
                    throw new StaleLeaseException(job.accountId(), token);
                }
            }
            releaseLease(c, job.accountId(), token);
            if (status == JobStatus.QUEUED) {
                notifyWorkers(c);
            }
        }
    }

    private static void releaseLease(Connection c, String accountId, long token) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE account_lease SET expires_at = NULL, holder = NULL WHERE account_id = ? AND token = ?")) {
            s.setString(1, accountId);
            s.setLong(2, token);
            s.executeUpdate();
        }
    }

    /** Lets go of every lease this worker holds (graceful shutdown): others may take the jobs at once. */
    public int releaseAll(String worker) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE account_lease SET expires_at = NULL, holder = NULL WHERE holder = ?")) {
            s.setString(1, worker);
            return s.executeUpdate();
        }
    }

    /**
     * Running jobs whose lease expired and that have no attempt left fail for good; the others are
     * claimed again by {@link #claim}. Returns how many jobs were failed.
     */
    public int reapExhausted(Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE sync_job j SET status = 'FAILED', finished_at = ?,"
                        + " error_code = 'INTERNAL', error_detail = 'the worker stopped responding on the last attempt'"
                        + " FROM account_lease l WHERE j.status = 'RUNNING' AND j.attempts >= j.max_attempts"
                        + " AND l.account_id = j.account_id AND (l.expires_at IS NULL OR l.expires_at <= ?)")) {
            s.setTimestamp(1, Jdbc.ts(now));
            s.setTimestamp(2, Jdbc.ts(now));
            return s.executeUpdate();
        }
    }

    /** Login refused: no automatic sync of this account until its settings change or a user asks. */
    public void setAuthBlocked(String accountId, boolean blocked) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE account SET auth_blocked = ? WHERE id = ?")) {
            s.setBoolean(1, blocked);
            s.setString(2, accountId);
            s.executeUpdate();
        }
    }

    /**
     * Enqueues a SCHEDULE job for every device whose sync interval is due, unless it already has a live
     * job or its account's login is blocked, and moves each device's next time on. The row locks and
     * the one-queued-job index make this exactly once across replicas. Returns how many were queued.
     */
    public int enqueueDue(Instant now, int maxAttempts, java.util.function.Supplier<String> ids) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<String[]> due = new ArrayList<>();
            try (PreparedStatement s =
                    c.prepareStatement("SELECT d.id, d.account_id, d.sync_interval_seconds FROM device d"
                            + " JOIN account a ON a.id = d.account_id"
                            + " WHERE d.next_sync_at <= ? AND d.sync_interval_seconds IS NOT NULL AND NOT a.auth_blocked"
                            + " ORDER BY d.next_sync_at LIMIT 500 FOR UPDATE OF d SKIP LOCKED")) {
                s.setTimestamp(1, Jdbc.ts(now));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        due.add(new String[] {r.getString(1), r.getString(2), String.valueOf(r.getInt(3))});
                    }
                }
            }
            int queued = 0;
            for (String[] d : due) {
                try (PreparedStatement s = c.prepareStatement("UPDATE device SET next_sync_at = ? WHERE id = ?")) {
                    s.setTimestamp(1, Jdbc.ts(now.plusSeconds(Long.parseLong(d[2]))));
                    s.setString(2, d[0]);
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO sync_job (id, account_id, device_id, status,"
                        + " trigger, changes, attempts, max_attempts, run_after, created_at)"
                        + " SELECT ?, ?, ?, 'QUEUED', 'SCHEDULE', '[]'::jsonb, 0, ?, ?, ?"
                        + " WHERE NOT EXISTS (SELECT 1 FROM sync_job WHERE device_id = ? AND status IN ('QUEUED', 'RUNNING'))"
                        + " ON CONFLICT DO NOTHING")) {
                    s.setString(1, ids.get());
                    s.setString(2, d[1]);
                    s.setString(3, d[0]);
                    s.setInt(4, maxAttempts);
                    s.setTimestamp(5, Jdbc.ts(now));
                    s.setTimestamp(6, Jdbc.ts(now));
                    s.setString(7, d[0]);
                    queued += s.executeUpdate();
                }
            }
            if (queued > 0) {
                notifyWorkers(c);
            }
            return queued;
        }
    }

    public boolean cancelRequested(String jobId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT cancel_requested FROM sync_job WHERE id = ?")) {
            s.setString(1, jobId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    /** Queue depth by status, for metrics. */
    public Map<JobStatus, Long> countByStatus() throws SQLException {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        for (JobStatus s : JobStatus.values()) {
            counts.put(s, 0L);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT status, count(*) FROM sync_job GROUP BY status");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                counts.put(JobStatus.valueOf(r.getString(1)), r.getLong(2));
            }
        }
        return counts;
    }

    private static SyncJob map(ResultSet r) throws SQLException {
        return new SyncJob(
                r.getString("id"),
                r.getString("account_id"),
                r.getString("device_id"),
                JobStatus.valueOf(r.getString("status")),
                r.getString("trigger"),
                r.getString("changes"),
                r.getString("results"),
                r.getInt("attempts"),
                r.getInt("max_attempts"),
                Jdbc.instant(r, "run_after"),
                Jdbc.instant(r, "created_at"),
                Jdbc.instant(r, "started_at"),
                Jdbc.instant(r, "finished_at"),
                r.getString("error_code"),
                r.getString("error_detail"),
                r.getBoolean("cancel_requested"),
                Jdbc.nullableLong(r, "lease_token"),
                Jdbc.nullableLong(r, "state_seq"));
    }
}
