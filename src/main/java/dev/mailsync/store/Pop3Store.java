package dev.mailsync.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.sync.Pop3Planner;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * POP3 state: the stored copy of every downloaded message with its server state, and the maildrop's size.
 * A stored message is keyed by (account, created seq); its UIDL names it while it is not confirmed gone
 * (at most one such message per UIDL: a unique index), so a UIDL the server reuses after that is stored
 * as a new message beside the old one. Writes are fenced by the caller's lease token and run in the caller's short
 * transaction; a message's copy and its mirror row are written in one transaction, so a crash never
 * leaves half a message.
 */
@ApplicationScoped
public class Pop3Store {
    public static final String INBOX = "INBOX";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Stored copies are read back in pages of this size, so a large message is never held whole. */
    static final int READ_CHUNK = 1024 * 1024;

    private final AgroalDataSource dataSource;

    @Inject
    public Pop3Store(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What mailsync has stored for the account, with the devices that hid each message, for the planner. */
    public List<Pop3Planner.Stored> stored(String accountId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT p.uidl, p.created_seq, p.first_downloaded_at,"
                        + " p.server_state, p.deleted_by_device, p.server_delete_requested, p.released_at,"
                        + " p.server_size, ARRAY(SELECT h.device_id FROM device_hidden h"
                        + "   WHERE h.message_id = p.mirror_message_id) AS hidden_from"
                        + " FROM pop3_message p WHERE p.account_id = ? ORDER BY p.created_seq")) {
            s.setString(1, accountId);
            s.setFetchSize(5000);
            List<Pop3Planner.Stored> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Pop3Planner.Stored(
                            r.getString(1),
                            r.getLong(2),
                            Jdbc.instant(r, "first_downloaded_at"),
                            Pop3Planner.ServerState.valueOf(r.getString(4)),
                            r.getString(5) != null,
                            r.getBoolean(6),
                            r.getTimestamp(7) != null,
                            r.getLong(8),
                            Jdbc.stringSet(r, "hidden_from")));
                }
            }
            return out;
        }
    }

    /** The account's devices with what they acknowledged and when they were last seen. */
    public List<Pop3Planner.Device> devices(String accountId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id, acked_seq, COALESCE(last_sync_at, created_at)"
                        + " AS seen FROM device WHERE account_id = ? ORDER BY id")) {
            s.setString(1, accountId);
            List<Pop3Planner.Device> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Pop3Planner.Device(r.getString(1), r.getLong(2), Jdbc.instant(r, "seen")));
                }
            }
            return out;
        }
    }

    /** The id of the account's INBOX folder in the mirror, created (with a change number) if missing. */
    public String inbox(String accountId, long token) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id FROM mirror_folder WHERE account_id = ?" + " AND name = ? AND destroyed_seq IS NULL")) {
                s.setString(1, accountId);
                s.setString(2, INBOX);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        return r.getString(1);
                    }
                }
            }
            String id = Ids.next("fld");
            long seq = Jdbc.allocateSeq(c, accountId, 1);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mirror_folder (id, account_id, name,"
                    + " delimiter, created_seq, change_seq) VALUES (?, ?, ?, NULL, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, accountId);
                s.setString(3, INBOX);
                s.setLong(4, seq);
                s.setLong(5, seq);
                s.executeUpdate();
            }
            return id;
        }
    }

    /** A downloaded message's bytes: in memory ({@link #buffer()}), or a temporary file to stream. */
    public interface Content {
        /**
         * The bytes when the message is held in memory: the message is the array's first {@link
         * Downloaded#size()} bytes (the array may be longer, it is not copied). Null when the message is
         * in a file: read it with {@link #open()}.
         */
        byte[] buffer();

        InputStream open() throws IOException;
    }

    /** A downloaded message ready to be stored: UIDL, LIST size, summary, its bytes and their count. */
    public record Downloaded(String uidl, long serverSize, MessageSummary summary, Content content, long size) {}

    private static final String POP3_COPY = "pop3_message (account_id, uidl, mirror_message_id, created_seq, size,"
            + " server_size, first_downloaded_at, content)";
    private static final int POP3_COPY_FIELDS = 8;

    /**
     * Stores downloaded messages, each with its copy (streamed) and its mirror row in INBOX, which gives it
     * to every device with the next change number. All of them in the caller's one transaction: a batch
     * is stored whole or not at all, and one transaction for many messages keeps a large first download
     * fast. The rows go in with two binary {@code COPY}s on the transaction's connection (mirror rows
     * first: the copies refer to them), the bodies written straight from the download buffers or
     * streamed from their files; constraints and foreign keys are checked as for INSERTs.
     *
     * @return the mirror message ids, in order
     */
    public List<String> storeDownloaded(
            String accountId, long token, String inboxId, List<Downloaded> messages, Instant now) throws SQLException {
        if (messages.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            long first = Jdbc.allocateSeq(c, accountId, messages.size());
            List<String> ids = new ArrayList<>(messages.size());
            List<MirrorStore.NewMessage> rows = new ArrayList<>(messages.size());
            long next = first;
            for (Downloaded d : messages) {
                String id = Ids.next("msg");
                ids.add(id);
                // POP3 has no UIDs: the change number is unique in the account and orders by arrival.
                long at = next++;
                rows.add(new MirrorStore.NewMessage(id, at, d.uidl(), d.summary(), d.size(), at, null));
            }
            MirrorStore.copyRows(c, accountId, inboxId, rows);
            try (BinaryCopy copies = BinaryCopy.start(c, POP3_COPY)) {
                long seq = first;
                for (int i = 0; i < messages.size(); i++) {
                    Downloaded d = messages.get(i);
                    copies.row(POP3_COPY_FIELDS)
                            .text(accountId)
                            .text(d.uidl())
                            .text(ids.get(i))
                            .int8(seq++)
                            .int8(d.size())
                            .int8(d.serverSize())
                            .timestamptz(now);
                    byte[] buffer = d.content().buffer();
                    if (buffer != null) {
                        copies.bytea(buffer, 0, Math.toIntExact(d.size()));
                    } else {
                        // A large message streams from its file: never held whole in memory.
                        try (InputStream in = d.content().open()) {
                            copies.bytea(in, d.size());
                        } catch (IOException e) {
                            throw new SQLException("cannot read a downloaded message back: " + e.getMessage(), e);
                        }
                    }
                }
                copies.finish();
            }
            return ids;
        }
    }

    /**
     * Stored messages whose UIDL a listing no longer had: the server copy is gone (confirmed). Each UIDL
     * names the one stored message not confirmed gone yet.
     */
    public void confirmGone(String accountId, long token, List<String> uidls, Instant now) throws SQLException {
        if (uidls.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            try (PreparedStatement s = c.prepareStatement("UPDATE pop3_message SET server_state = 'GONE',"
                    + " gone_at = ? WHERE account_id = ? AND uidl = ? AND server_state <> 'GONE'")) {
                for (String uidl : uidls) {
                    s.setTimestamp(1, Jdbc.ts(now));
                    s.setString(2, accountId);
                    s.setString(3, uidl);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** DELE was sent for these and QUIT answered +OK: removed, to be confirmed by a later listing. */
    public void deleteSent(String accountId, long token, List<Pop3Planner.Deletion> deletions, Instant now)
            throws SQLException {
        if (deletions.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            try (PreparedStatement s = c.prepareStatement("UPDATE pop3_message SET server_state = 'DELETE_SENT',"
                    + " delete_reason = ?, delete_sent_at = ? WHERE account_id = ? AND uidl = ?"
                    + " AND server_state = 'ON_SERVER'")) {
                for (Pop3Planner.Deletion d : deletions) {
                    s.setString(1, d.reason().name());
                    s.setTimestamp(2, Jdbc.ts(now));
                    s.setString(3, accountId);
                    s.setString(4, d.uidl());
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /**
     * Messages every device hid from its own view and whose server copy is confirmed gone: their mirror
     * rows become tombstones (cause {@code DELETED_BY_DEVICE}, authored by no device: each device had its
     * {@code destroyed} already), so their copies can be released. Checked again here: a device that
     * appeared since the plan and does not hide the message keeps it.
     */
    public void retire(String accountId, long token, List<Long> createdSeqs, Instant now) throws SQLException {
        if (createdSeqs.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            try (PreparedStatement copy = c.prepareStatement("UPDATE pop3_message p SET deleted_by_device ="
                            + " (SELECT h.device_id FROM device_hidden h WHERE h.message_id = p.mirror_message_id"
                            + "   ORDER BY h.seq DESC LIMIT 1)"
                            + " WHERE p.account_id = ? AND p.created_seq = ? AND p.server_state = 'GONE'"
                            + " AND p.deleted_by_device IS NULL AND EXISTS (SELECT 1 FROM device d"
                            + "   WHERE d.account_id = p.account_id)"
                            + " AND NOT EXISTS (SELECT 1 FROM device d WHERE d.account_id = p.account_id"
                            + "   AND NOT EXISTS (SELECT 1 FROM device_hidden h WHERE h.device_id = d.id"
                            + "     AND h.message_id = p.mirror_message_id))"
                            + " RETURNING p.mirror_message_id");
                    PreparedStatement row = c.prepareStatement("UPDATE mirror_message SET destroyed_seq = ?,"
                            + " change_seq = ?, destroyed_cause = ?, destroyed_at = ?, changed_by_device = NULL"
                            + " WHERE id = ? AND destroyed_seq IS NULL")) {
                for (long createdSeq : createdSeqs) {
                    copy.setString(1, accountId);
                    copy.setLong(2, createdSeq);
                    String messageId = null;
                    try (ResultSet r = copy.executeQuery()) {
                        if (r.next()) {
                            messageId = r.getString(1);
                        }
                    }
                    if (messageId == null) {
                        continue;
                    }
                    long seq = Jdbc.allocateSeq(c, accountId, 1);
                    row.setLong(1, seq);
                    row.setLong(2, seq);
                    row.setString(3, MirrorStore.CAUSE_DEVICE_DELETE);
                    row.setTimestamp(4, Jdbc.ts(now));
                    row.setString(5, messageId);
                    row.executeUpdate();
                }
            }
        }
    }

    /**
     * Drops the content of copies (by created seq) nobody can read any more and whose server copy is
     * confirmed gone.
     */
    public void release(String accountId, long token, List<Long> createdSeqs, Instant now) throws SQLException {
        if (createdSeqs.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            try (PreparedStatement s = c.prepareStatement("UPDATE pop3_message SET content = NULL, released_at = ?"
                    + " WHERE account_id = ? AND created_seq = ? AND server_state = 'GONE'"
                    + " AND deleted_by_device IS NOT NULL AND released_at IS NULL")) {
                for (long createdSeq : createdSeqs) {
                    s.setTimestamp(1, Jdbc.ts(now));
                    s.setString(2, accountId);
                    s.setLong(3, createdSeq);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** What a device's DELETE did. */
    public enum DeviceDelete {
        /** Hidden from the device (and, with deleteOnServer, deleted for the whole account). */
        APPLIED,
        /** The device had deleted it already, or a device deleted it for the whole account. */
        ALREADY_APPLIED,
        /** Not a POP3 message of the account (or its tombstone is purged). */
        NOT_FOUND
    }

    /**
     * A device deleted the message. It always leaves that device's view: a {@code device_hidden} row with
     * the next change number gives that device alone a {@code destroyed}, and the message never comes back
     * to it. Without {@code onServer} that is all: the other devices keep it, the copy stays readable. With
     * {@code onServer} (deleteOnServerWhenDeletedOnDevice) the message is deleted for the whole account as
     * well: the mirror row becomes a tombstone (every other device gets {@code destroyed}) and the copy
     * becomes due for deletion on the server in this very sync.
     */
    public DeviceDelete deleteByDevice(
            String accountId, long token, String messageId, String deviceId, boolean onServer, Instant now)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            boolean hidden;
            boolean deletedForAll;
            boolean live;
            try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM device_hidden h"
                    + "   WHERE h.device_id = ? AND h.message_id = p.mirror_message_id),"
                    + " p.deleted_by_device IS NOT NULL, m.destroyed_seq IS NULL"
                    + " FROM pop3_message p JOIN mirror_message m ON m.id = p.mirror_message_id"
                    + " WHERE p.account_id = ? AND p.mirror_message_id = ? FOR UPDATE OF p")) {
                s.setString(1, deviceId);
                s.setString(2, accountId);
                s.setString(3, messageId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return DeviceDelete.NOT_FOUND;
                    }
                    hidden = r.getBoolean(1);
                    deletedForAll = r.getBoolean(2);
                    live = r.getBoolean(3);
                }
            }
            if (hidden || deletedForAll) {
                return DeviceDelete.ALREADY_APPLIED;
            }
            if (!live) {
                return DeviceDelete.NOT_FOUND;
            }
            long seq = Jdbc.allocateSeq(c, accountId, onServer ? 2 : 1);
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO device_hidden (device_id, message_id, seq) VALUES (?, ?, ?)")) {
                s.setString(1, deviceId);
                s.setString(2, messageId);
                s.setLong(3, seq);
                s.executeUpdate();
            }
            if (!onServer) {
                return DeviceDelete.APPLIED;
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE pop3_message SET deleted_by_device = ?,"
                    + " server_delete_requested = true WHERE account_id = ? AND mirror_message_id = ?")) {
                s.setString(1, deviceId);
                s.setString(2, accountId);
                s.setString(3, messageId);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE mirror_message SET destroyed_seq = ?,"
                    + " change_seq = ?, destroyed_cause = ?, destroyed_at = ?, changed_by_device = ?"
                    + " WHERE id = ? AND destroyed_seq IS NULL")) {
                s.setLong(1, seq + 1);
                s.setLong(2, seq + 1);
                s.setString(3, MirrorStore.CAUSE_DEVICE_DELETE);
                s.setTimestamp(4, Jdbc.ts(now));
                s.setString(5, deviceId);
                s.setString(6, messageId);
                s.executeUpdate();
            }
            return DeviceDelete.APPLIED;
        }
    }

    /** Whether the device deleted the message from its own view (its changes to it answer NOT_FOUND). */
    public boolean hiddenFrom(String deviceId, String messageId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT 1 FROM device_hidden WHERE device_id = ? AND message_id = ?")) {
            s.setString(1, deviceId);
            s.setString(2, messageId);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** The maildrop as STAT answered it. */
    public record Maildrop(int count, long sizeBytes, Instant checkedAt) {}

    public void recordMaildrop(String accountId, long token, Maildrop m) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO pop3_maildrop (account_id, count,"
                    + " size_bytes, checked_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET"
                    + " count = EXCLUDED.count, size_bytes = EXCLUDED.size_bytes, checked_at = EXCLUDED.checked_at")) {
                s.setString(1, accountId);
                s.setInt(2, m.count());
                s.setLong(3, m.sizeBytes());
                s.setTimestamp(4, Jdbc.ts(m.checkedAt()));
                s.executeUpdate();
            }
        }
    }

    public Optional<Maildrop> maildrop(String accountId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT count, size_bytes, checked_at FROM pop3_maildrop WHERE account_id = ?")) {
            s.setString(1, accountId);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new Maildrop(r.getInt(1), r.getLong(2), Jdbc.instant(r, "checked_at")))
                        : Optional.empty();
            }
        }
    }

    /** Stores what a POP3 sync did (deletions and their policy, skips) on its job, fenced. */
    public void saveReport(String accountId, long token, String jobId, Object report) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            try (PreparedStatement s = c.prepareStatement("UPDATE sync_job SET pop3_report = ?::jsonb WHERE id = ?")) {
                s.setString(1, JSON.writeValueAsString(report));
                s.setString(2, jobId);
                s.executeUpdate();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The POP3 report of a job, as JSON text, if it has one. */
    public Optional<String> report(String jobId) throws SQLException {
        return Jdbc.firstString(dataSource, "SELECT pop3_report::text FROM sync_job WHERE id = ?", jobId);
    }

    /** A live message's stored copy: its size, or empty if the account has no readable copy of it. */
    public Optional<Long> copySize(String accountId, String messageId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT p.size FROM pop3_message p JOIN mirror_message m"
                        + " ON m.id = p.mirror_message_id WHERE p.account_id = ? AND p.mirror_message_id = ?"
                        + " AND m.destroyed_seq IS NULL AND p.released_at IS NULL")) {
            s.setString(1, accountId);
            s.setString(2, messageId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getLong(1)) : Optional.empty();
            }
        }
    }

    /**
     * The stored copy as a stream read in pages of {@value #READ_CHUNK} bytes, each page its own short
     * query: a large message is never held whole, and no transaction stays open while a client reads.
     */
    public InputStream openCopy(String accountId, String messageId, long size) {
        return new InputStream() {
            private long offset;
            private byte[] page = new byte[0];
            private int index;

            @Override
            public int read() throws IOException {
                if (!ensure()) {
                    return -1;
                }
                return page[index++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!ensure()) {
                    return -1;
                }
                int n = Math.min(len, page.length - index);
                System.arraycopy(page, index, b, off, n);
                index += n;
                return n;
            }

            private boolean ensure() throws IOException {
                if (index < page.length) {
                    return true;
                }
                if (offset >= size) {
                    return false;
                }
                page = chunk(accountId, messageId, offset, (int) Math.min(READ_CHUNK, size - offset));
                index = 0;
                offset += page.length;
                return page.length > 0;
            }
        };
    }

    private byte[] chunk(String accountId, String messageId, long offset, int length) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT substring(content FROM ?::integer FOR ?::integer) FROM pop3_message"
                                + " WHERE account_id = ? AND mirror_message_id = ? AND content IS NOT NULL")) {
            s.setLong(1, offset + 1);
            s.setInt(2, length);
            s.setString(3, accountId);
            s.setString(4, messageId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new IOException("the stored copy of " + messageId + " is gone");
                }
                return r.getBytes(1);
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the stored copy of " + messageId + ": " + e.getMessage(), e);
        }
    }

    /** PostgreSQL text cannot hold NUL; messages do carry it sometimes. */
}
