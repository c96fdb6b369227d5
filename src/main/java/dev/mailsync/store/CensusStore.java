package dev.mailsync.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Sizes of the mirror and how far devices lag behind their accounts, for the gauges. Read-only. */
@ApplicationScoped
public class CensusStore {
    private final AgroalDataSource dataSource;

    @Inject
    public CensusStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @param devicesBehind devices that have not acknowledged their account's latest change
     * @param maxLagChanges the most changes any device has not acknowledged
     * @param maxLagSeconds the longest time since a device that is behind last acknowledged (or was created)
     */
    public record Census(
            long liveMessages,
            long tombstones,
            long liveFolders,
            long devicesCurrent,
            long devicesBehind,
            long maxLagChanges,
            double maxLagSeconds) {}

    public Census take() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement messages = c.prepareStatement("SELECT count(*) FILTER (WHERE destroyed_seq IS NULL),"
                        + " count(*) FILTER (WHERE destroyed_seq IS NOT NULL) FROM mirror_message");
                PreparedStatement folders =
                        c.prepareStatement("SELECT count(*) FROM mirror_folder WHERE destroyed_seq IS NULL");
                PreparedStatement devices = c.prepareStatement("SELECT"
                        + " count(*) FILTER (WHERE d.acked_seq >= a.change_seq),"
                        + " count(*) FILTER (WHERE d.acked_seq < a.change_seq),"
                        + " coalesce(max(a.change_seq - d.acked_seq), 0),"
                        + " coalesce(max(extract(epoch FROM now() - coalesce(d.last_sync_at, d.created_at)))"
                        + "   FILTER (WHERE d.acked_seq < a.change_seq), 0)"
                        + " FROM device d JOIN account a ON a.id = d.account_id")) {
            long live;
            long dead;
            try (ResultSet r = messages.executeQuery()) {
                r.next();
                live = r.getLong(1);
                dead = r.getLong(2);
            }
            long liveFolders;
            try (ResultSet r = folders.executeQuery()) {
                r.next();
                liveFolders = r.getLong(1);
            }
            try (ResultSet r = devices.executeQuery()) {
                r.next();
                return new Census(
                        live, dead, liveFolders, r.getLong(1), r.getLong(2), Math.max(0, r.getLong(3)), r.getDouble(4));
            }
        }
    }
}
