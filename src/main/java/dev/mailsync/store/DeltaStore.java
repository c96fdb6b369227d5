package dev.mailsync.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the mirror's change log for deltas, and the live view for full reloads. */
@ApplicationScoped
public class DeltaStore {

    private final AgroalDataSource dataSource;

    @Inject
    public DeltaStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The account's newest change number, and the number up to which tombstones were purged. */
    public record Seqs(long current, long purged) {}

    public record FolderRow(
            String id,
            String name,
            String delimiter,
            String specialUse,
            long createdSeq,
            long changeSeq,
            Long destroyedSeq,
            String changedByDevice) {}

    public record MessageRow(
            String id,
            String folderId,
            String folderName,
            long uid,
            Set<String> flags,
            String subject,
            String fromJson,
            String toJson,
            String ccJson,
            Instant sentAt,
            String messageId,
            long size,
            Instant internalDate,
            String preview,
            boolean hasAttachments,
            long createdSeq,
            long changeSeq,
            Long destroyedSeq,
            long newerInFolder,
            String changedByDevice) {}

    /**
     * Rows whose latest change is in (since, upto], in change order; {@code lastSeq} of the last row.
     * {@code resent}: ids of rows in the page because the device's view was widened (see {@link #resend}).
     * {@code hiddenAt}: of the page's messages, those the device deleted from its own view (POP3), with the
     * change number of that delete (it may lie outside the page: then it is no news for this page).
     */
    public record ChangePage(
            List<FolderRow> folders,
            List<MessageRow> messages,
            boolean hasMore,
            long lastSeq,
            java.util.Set<String> resent,
            Map<String, Long> hiddenAt) {}

    public Seqs seqs(String accountId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT change_seq, purged_seq FROM account WHERE id = ?")) {
            s.setString(1, accountId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new IllegalStateException("account " + accountId + " is gone");
                }
                return new Seqs(r.getLong(1), r.getLong(2));
            }
        }
    }

    public ChangePage changes(String accountId, String deviceId, long since, long upto, int limit, boolean rankMessages)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            java.util.LinkedHashSet<String> folderIds = new java.util.LinkedHashSet<>();
            java.util.LinkedHashSet<String> messageIds = new java.util.LinkedHashSet<>();
            java.util.Set<String> resent = new java.util.HashSet<>();
            long lastSeq = since;
            int rows = 0;
            boolean hasMore = false;
            try (PreparedStatement s = c.prepareStatement("SELECT kind, id, change_seq, resent FROM ("
                    + " SELECT 'F' AS kind, id, change_seq, false AS resent FROM mirror_folder"
                    + "   WHERE account_id = ? AND change_seq > ? AND change_seq <= ?"
                    + " UNION ALL"
                    + " SELECT 'M' AS kind, id, change_seq, false AS resent FROM mirror_message"
                    + "   WHERE account_id = ? AND change_seq > ? AND change_seq <= ?"
                    + " UNION ALL"
                    + " SELECT kind::text, item_id, seq, true AS resent FROM device_resend"
                    + "   WHERE device_id = ? AND seq > ? AND seq <= ?"
                    + " UNION ALL"
                    + " SELECT 'M' AS kind, message_id, seq, false AS resent FROM device_hidden"
                    + "   WHERE device_id = ? AND seq > ? AND seq <= ?"
                    + ") x ORDER BY change_seq LIMIT ?")) {
                for (int i = 0; i < 4; i++) {
                    s.setString(1 + 3 * i, i >= 2 ? deviceId : accountId);
                    s.setLong(2 + 3 * i, since);
                    s.setLong(3 + 3 * i, upto);
                }
                s.setInt(13, limit + 1);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        if (rows == limit) {
                            hasMore = true;
                            break;
                        }
                        rows++;
                        lastSeq = r.getLong(3);
                        String id = r.getString(2);
                        ("F".equals(r.getString(1)) ? folderIds : messageIds).add(id);
                        if (r.getBoolean(4)) {
                            resent.add(id);
                        }
                    }
                }
            }
            return new ChangePage(
                    folders(c, List.copyOf(folderIds)),
                    messages(c, "m.id = ANY(?)", List.copyOf(messageIds), rankMessages),
                    hasMore,
                    lastSeq,
                    resent,
                    hiddenAt(c, deviceId, List.copyOf(messageIds)));
        }
    }

    private static Map<String, Long> hiddenAt(Connection c, String deviceId, List<String> messageIds)
            throws SQLException {
        if (messageIds.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> out = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT message_id, seq FROM device_hidden WHERE device_id = ? AND message_id = ANY(?)")) {
            s.setString(1, deviceId);
            s.setArray(2, c.createArrayOf("text", messageIds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.put(r.getString(1), r.getLong(2));
                }
            }
        }
        return out;
    }

    /** Leaves out the messages the device deleted from its own view (POP3). */
    private static final String NOT_HIDDEN =
            " AND NOT EXISTS (SELECT 1 FROM device_hidden h WHERE h.device_id = ? AND h.message_id = m.id)";

    /** A live message with what a view needs to decide whether it is visible. */
    public record Visibility(String id, String folderName, Instant internalDate, long newerInFolder) {}

    /**
     * Every live message of the account the device has not deleted from its own view, with its rank among
     * the newer (live) ones of its folder.
     */
    public List<Visibility> visibility(String accountId, String deviceId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT m.id, f.name, m.internal_date,"
                        + " row_number() OVER (PARTITION BY m.folder_id"
                        + "   ORDER BY m.internal_date DESC NULLS LAST, m.uid DESC) - 1 AS newer"
                        + " FROM mirror_message m JOIN mirror_folder f ON f.id = m.folder_id"
                        + " WHERE m.account_id = ? AND m.destroyed_seq IS NULL")) {
            s.setString(1, accountId);
            s.setFetchSize(5_000);
            Set<String> hidden = hidden(c, deviceId);
            List<Visibility> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    if (hidden.contains(r.getString(1))) {
                        continue; // ranked among the others all the same, as in the device's deltas
                    }
                    java.sql.Timestamp at = r.getTimestamp(3);
                    rows.add(new Visibility(
                            r.getString(1), r.getString(2), at == null ? null : at.toInstant(), r.getLong(4)));
                }
            }
            return rows;
        }
    }

    /**
     * Queues folders and messages for a device as news (they became visible to it): each gets a new number
     * of the account's sequence, after every change so far.
     */
    public void resend(String accountId, String deviceId, List<String> folderIds, List<String> messageIds)
            throws SQLException {
        int n = folderIds.size() + messageIds.size();
        if (n == 0) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            long seq = Jdbc.allocateSeq(c, accountId, n);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO device_resend (device_id, kind, item_id, seq)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (device_id, kind, item_id) DO UPDATE SET seq = EXCLUDED.seq")) {
                for (String id : folderIds) {
                    s.setString(1, deviceId);
                    s.setString(2, "F");
                    s.setString(3, id);
                    s.setLong(4, seq++);
                    s.addBatch();
                }
                for (String id : messageIds) {
                    s.setString(1, deviceId);
                    s.setString(2, "M");
                    s.setString(3, id);
                    s.setLong(4, seq++);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** The ids of the messages the device deleted from its own view (POP3; none for IMAP). */
    private static Set<String> hidden(Connection c, String deviceId) throws SQLException {
        Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement s = c.prepareStatement("SELECT message_id FROM device_hidden WHERE device_id = ?")) {
            s.setString(1, deviceId);
            s.setFetchSize(5_000);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        }
        return out;
    }

    private static List<FolderRow> folders(Connection c, List<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, FolderRow> byId = new HashMap<>();
        try (PreparedStatement s =
                c.prepareStatement("SELECT id, name, delimiter, special_use, created_seq, change_seq,"
                        + " destroyed_seq, changed_by_device FROM mirror_folder WHERE id = ANY(?)")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    FolderRow row = folder(r);
                    byId.put(row.id(), row);
                }
            }
        }
        return ids.stream().map(byId::get).toList();
    }

    private static final String MESSAGE_SELECT = "SELECT m.id, m.folder_id, f.name AS folder_name, m.uid, m.flags,"
            + " m.subject, m.from_addresses::text AS from_json, m.to_addresses::text AS to_json,"
            + " m.cc_addresses::text AS cc_json, m.sent_at, m.message_id, m.size, m.internal_date, m.preview,"
            + " m.has_attachments, m.created_seq, m.change_seq, m.destroyed_seq, m.changed_by_device,"
            + " CASE WHEN ? THEN (SELECT count(*) FROM mirror_message o WHERE o.folder_id = m.folder_id"
            + "   AND o.destroyed_seq IS NULL AND (o.internal_date > m.internal_date"
            + "   OR (o.internal_date = m.internal_date AND o.uid > m.uid))) ELSE 0 END AS newer"
            + " FROM mirror_message m JOIN mirror_folder f ON f.id = m.folder_id WHERE ";

    private static List<MessageRow> messages(Connection c, String where, List<String> ids, boolean rank)
            throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, MessageRow> byId = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(MESSAGE_SELECT + where)) {
            s.setBoolean(1, rank);
            s.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    MessageRow row = message(r);
                    byId.put(row.id(), row);
                }
            }
        }
        return ids.stream().map(byId::get).toList();
    }

    /**
     * One page of the live messages of an account that the device has not deleted from its own view, in id
     * order, after {@code afterId}.
     */
    public List<MessageRow> liveMessages(String accountId, String deviceId, String afterId, int limit, boolean rank)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(MESSAGE_SELECT
                        + "m.account_id = ? AND m.destroyed_seq IS NULL AND m.id > ?" + NOT_HIDDEN
                        + " ORDER BY m.id LIMIT ?")) {
            s.setBoolean(1, rank);
            s.setString(2, accountId);
            s.setString(3, afterId == null ? "" : afterId);
            s.setString(4, deviceId);
            s.setInt(5, limit);
            List<MessageRow> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(message(r));
                }
            }
            return rows;
        }
    }

    /** The live folders of an account, for the full view. */
    public List<FolderRow> liveFolders(String accountId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT id, name, delimiter, special_use, created_seq, change_seq, destroyed_seq,"
                                + " changed_by_device FROM mirror_folder WHERE account_id = ? AND destroyed_seq IS NULL"
                                + " ORDER BY name")) {
            s.setString(1, accountId);
            List<FolderRow> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(folder(r));
                }
            }
            return rows;
        }
    }

    /** Records that a device was handed a complete state {@code seq}; never moves backwards. */
    public void delivered(String deviceId, long seq) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE device SET delivered_seq = GREATEST(delivered_seq, ?) WHERE id = ?")) {
            s.setLong(1, seq);
            s.setString(2, deviceId);
            s.executeUpdate();
        }
    }

    /** Records that a device has everything up to {@code seq}; never moves a cursor backwards. */
    public void acknowledge(String deviceId, long seq, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE device SET acked_seq = GREATEST(acked_seq, ?), last_sync_at = ? WHERE id = ?")) {
            s.setLong(1, seq);
            s.setTimestamp(2, Jdbc.ts(now));
            s.setString(3, deviceId);
            s.executeUpdate();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("DELETE FROM device_resend WHERE device_id = ? AND seq <= ?")) {
            s.setString(1, deviceId);
            s.setLong(2, seq);
            s.executeUpdate();
        }
    }

    private static FolderRow folder(ResultSet r) throws SQLException {
        return new FolderRow(
                r.getString("id"),
                r.getString("name"),
                r.getString("delimiter"),
                r.getString("special_use"),
                r.getLong("created_seq"),
                r.getLong("change_seq"),
                Jdbc.nullableLong(r, "destroyed_seq"),
                r.getString("changed_by_device"));
    }

    private static MessageRow message(ResultSet r) throws SQLException {
        return new MessageRow(
                r.getString("id"),
                r.getString("folder_id"),
                r.getString("folder_name"),
                r.getLong("uid"),
                Jdbc.stringSet(r, "flags"),
                r.getString("subject"),
                r.getString("from_json"),
                r.getString("to_json"),
                r.getString("cc_json"),
                Jdbc.instant(r, "sent_at"),
                r.getString("message_id"),
                r.getLong("size"),
                Jdbc.instant(r, "internal_date"),
                r.getString("preview"),
                r.getBoolean("has_attachments"),
                r.getLong("created_seq"),
                r.getLong("change_seq"),
                Jdbc.nullableLong(r, "destroyed_seq"),
                r.getLong("newer"),
                r.getString("changed_by_device"));
    }
}
