package dev.mailsync.jobs;

import dev.mailsync.store.JobStore;
import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * LISTENs on the job channel on one dedicated connection and wakes idle workers when any replica
 * enqueues a job. Workers also poll, so a lost connection only delays work.
 */
final class JobWakeup implements Runnable {
    private static final Logger LOG = Logger.getLogger(JobWakeup.class);

    private final AgroalDataSource dataSource;
    private final Object signal;
    private volatile boolean running = true;

    JobWakeup(AgroalDataSource dataSource, Object signal) {
        this.dataSource = dataSource;
        this.signal = signal;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + JobStore.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null && notifications.length > 0) {
                        synchronized (signal) {
                            signal.notifyAll();
                        }
                    }
                }
            } catch (Exception e) {
                if (running) {
                    LOG.warnf("job notifications interrupted (%s); workers keep polling", e.getMessage());
                    sleep(Duration.ofSeconds(2));
                }
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
