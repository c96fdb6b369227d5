package dev.mailsync.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.store.JobStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * The database under the queue and the mirror, for tests that look at them from below with no worker
 * running ({@link NoWorkers}): plain SQL, and a claim of one chosen job as a worker would make it.
 */
public final class QueueDb {
    private final DataSource dataSource;
    private final JobStore jobs;

    /** For plain SQL only. */
    public QueueDb(DataSource dataSource) {
        this(dataSource, null);
    }

    public QueueDb(DataSource dataSource, JobStore jobs) {
        this.dataSource = dataSource;
        this.jobs = jobs;
    }

    public void sql(String statement) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long queryLong(String query) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                var r = s.executeQuery(query)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Claims the job {@code id} as "worker-a" (30 s lease). No worker runs and other tests leave jobs
     * queued, so every other queued or running job is cancelled first: the claim can only find this one.
     */
    public JobStore.Claim claimOnly(String id) {
        sql("UPDATE sync_job SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING') AND id <> '" + id + "'");
        Instant now = Instant.now();
        JobStore.Claim claim = QuarkusTransaction.requiringNew()
                .call(() -> jobs.claim("worker-a", now, now.plusSeconds(30)))
                .orElseThrow();
        assertThat(claim.job().id()).isEqualTo(id);
        return claim;
    }
}
