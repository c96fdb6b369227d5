package dev.mailsync.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.sync.FolderInfo;
import dev.mailsync.sync.FolderPlanner;
import dev.mailsync.sync.FolderScanPlan;
import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.MailAddress;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.sync.MirrorMessageRef;
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
import java.util.concurrent.Executors;

/**
 * The account mirror: folders and messages as the server has them, every change stamped with the
 * next number of the account's change sequence, removals kept as tombstones with their cause. Every
 * write is fenced by the caller's lease token and runs in the caller's (short) transaction.
 */
@ApplicationScoped
public class MirrorStore {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MirrorStore.class);

    /** Why a row became a tombstone; devices and operators read it. */
    public static final String CAUSE_SERVER_EXPUNGE = "EXPUNGED_ON_SERVER";

    public static final String CAUSE_FOLDER_GONE = "FOLDER_DELETED_ON_SERVER";
    public static final String CAUSE_UIDVALIDITY = "UIDVALIDITY_CHANGED";
    public static final String CAUSE_DEVICE_DELETE = "DELETED_BY_DEVICE";
    public static final String CAUSE_DEVICE_MOVE = "MOVED_BY_DEVICE";
    public static final String CAUSE_DEVICE_FOLDER_DELETE = "FOLDER_DELETED_BY_DEVICE";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgroalDataSource dataSource;

    @Inject
    public MirrorStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<MirrorFolder> liveFolders(String accountId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT id, name, delimiter, special_use, uid_validity, uid_next,"
                                + " highest_modseq, message_count FROM mirror_folder"
                                + " WHERE account_id = ? AND destroyed_seq IS NULL ORDER BY name")) {
            s.setString(1, accountId);
            List<MirrorFolder> folders = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    folders.add(new MirrorFolder(
                            r.getString(1),
                            r.getString(2),
                            r.getString(3),
                            r.getString(4),
                            Jdbc.nullableLong(r, "uid_validity"),
                            Jdbc.nullableLong(r, "uid_next"),
                            Jdbc.nullableLong(r, "highest_modseq"),
                            Jdbc.nullableLong(r, "message_count")));
                }
            }
            return folders;
        }
    }

    /** Applies a folder-list plan; returns the ids of the live folders by name afterwards. */
    public Map<String, String> applyFolderPlan(String accountId, long token, FolderPlanner.Plan plan, Instant now)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            int changes = plan.create().size()
                    + plan.update().size()
                    + plan.destroyIds().size()
                    + plan.rename().size();
            if (changes > 0) {
                long seq = Jdbc.allocateSeq(c, accountId, changes);
                // Renamed folders keep id and messages. Two steps, so names swapped or chained in one plan
                // never meet the unique live name.
                try (PreparedStatement s = c.prepareStatement("UPDATE mirror_folder SET name = id WHERE id = ?")) {
                    for (FolderPlanner.Updated r : plan.rename()) {
                        s.setString(1, r.id());
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE mirror_folder SET name = ?, delimiter = ?,"
                        + " special_use = ?, change_seq = ?, changed_by_device = NULL WHERE id = ?")) {
                    for (FolderPlanner.Updated r : plan.rename()) {
                        s.setString(1, r.info().name());
                        s.setString(2, r.info().delimiter());
                        s.setString(3, r.info().specialUse());
                        s.setLong(4, seq++);
                        s.setString(5, r.id());
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                try (PreparedStatement s =
                        c.prepareStatement("INSERT INTO mirror_folder (id, account_id, name, delimiter,"
                                + " special_use, created_seq, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    for (FolderInfo f : plan.create()) {
                        s.setString(1, Ids.next("fld"));
                        s.setString(2, accountId);
                        s.setString(3, f.name());
                        s.setString(4, f.delimiter());
                        s.setString(5, f.specialUse());
                        s.setLong(6, seq);
                        s.setLong(7, seq++);
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE mirror_folder SET delimiter = ?, special_use = ?, change_seq = ?, changed_by_device = NULL"
                                + " WHERE id = ?")) {
                    for (FolderPlanner.Updated u : plan.update()) {
                        s.setString(1, u.info().delimiter());
                        s.setString(2, u.info().specialUse());
                        s.setLong(3, seq++);
                        s.setString(4, u.id());
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                for (String folderId : plan.destroyIds()) {
                    destroyFolderMessages(c, accountId, folderId, CAUSE_FOLDER_GONE, now);
                    try (PreparedStatement s = c.prepareStatement("UPDATE mirror_folder SET destroyed_seq = ?,"
                            + " change_seq = ?, destroyed_cause = ?, destroyed_at = ?, changed_by_device = NULL"
                            + " WHERE id = ?")) {
                        long at = Jdbc.allocateSeq(c, accountId, 1);
                        s.setLong(1, at);
                        s.setLong(2, at);
                        s.setString(3, CAUSE_FOLDER_GONE);
                        s.setTimestamp(4, Jdbc.ts(now));
                        s.setString(5, folderId);
                        s.executeUpdate();
                    }
                }
            }
            Map<String, String> ids = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT name, id FROM mirror_folder WHERE account_id = ? AND destroyed_seq IS NULL")) {
                s.setString(1, accountId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ids.put(r.getString(1), r.getString(2));
                    }
                }
            }
            return ids;
        }
    }

    private static void destroyFolderMessages(
            Connection c, String accountId, String folderId, String cause, Instant now) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id FROM mirror_message WHERE folder_id = ? AND destroyed_seq IS NULL ORDER BY uid")) {
            s.setString(1, folderId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
        }
        destroyMessages(c, accountId, ids, cause, now);
    }

    private static void destroyMessages(Connection c, String accountId, List<String> ids, String cause, Instant now)
            throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        long seq = Jdbc.allocateSeq(c, accountId, ids.size());
        // A removal seen on the server is news for every device, also for one whose own change (a flag it
        // set) was the row's latest: the author mark goes.
        try (PreparedStatement s = c.prepareStatement("UPDATE mirror_message SET destroyed_seq = ?, change_seq = ?,"
                + " destroyed_cause = ?, destroyed_at = ?, changed_by_device = NULL"
                + " WHERE id = ? AND destroyed_seq IS NULL")) {
            for (String id : ids) {
                s.setLong(1, seq);
                s.setLong(2, seq++);
                s.setString(3, cause);
                s.setTimestamp(4, Jdbc.ts(now));
                s.setString(5, id);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    public List<MirrorMessageRef> liveMessages(String folderId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT id, uid, flags FROM mirror_message WHERE folder_id = ? AND destroyed_seq IS NULL")) {
            s.setString(1, folderId);
            s.setFetchSize(5000);
            List<MirrorMessageRef> refs = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    refs.add(new MirrorMessageRef(r.getString(1), r.getLong(2), Jdbc.stringSet(r, "flags")));
                }
            }
            return refs;
        }
    }

    /** Applies the destroy and flag parts of a folder plan (the new messages come in chunks after). */
    public void applyScan(String accountId, long token, FolderScanPlan plan, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            destroyMessages(
                    c,
                    accountId,
                    plan.destroyMessageIds(),
                    plan.reset() ? CAUSE_UIDVALIDITY : CAUSE_SERVER_EXPUNGE,
                    now);
            if (!plan.flagChanges().isEmpty()) {
                long seq = Jdbc.allocateSeq(c, accountId, plan.flagChanges().size());
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE mirror_message SET flags = ?, change_seq = ?, changed_by_device = NULL WHERE id = ?")) {
                    for (FolderScanPlan.FlagChange f : plan.flagChanges()) {
                        s.setArray(1, Jdbc.textArray(c, f.flags()));
                        s.setLong(2, seq++);
                        s.setString(3, f.messageId());
                        s.addBatch();
                    }
                    s.executeBatch();
                }
            }
        }
    }

    /** A live message as a device change addresses it: where it is on the server, and its flags. */
    /** {@code folderModSeq}: the folder's HIGHESTMODSEQ at the mirror's last refresh (null without CONDSTORE). */
    public record MessageTarget(
            String id,
            String folderId,
            String folderName,
            Long uidValidity,
            long uid,
            java.util.Set<String> flags,
            Long folderModSeq) {}

    public java.util.Optional<MessageTarget> liveMessage(String accountId, String messageId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT m.id, m.folder_id, f.name, f.uid_validity, m.uid,"
                        + " m.flags, f.highest_modseq FROM mirror_message m JOIN mirror_folder f ON f.id = m.folder_id"
                        + " WHERE m.id = ? AND m.account_id = ? AND m.destroyed_seq IS NULL")) {
            s.setString(1, messageId);
            s.setString(2, accountId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of(new MessageTarget(
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        Jdbc.nullableLong(r, "uid_validity"),
                        r.getLong(5),
                        Jdbc.stringSet(r, "flags"),
                        Jdbc.nullableLong(r, "highest_modseq")));
            }
        }
    }

    /**
     * Records a device's own flag change at once (fenced): the next number of the sequence, and the
     * device as its author so that device's delta does not echo it — unless {@code deviceId} is null (the
     * result carries changes made elsewhere) or the device had not been handed the row's previous version.
     */
    public void setFlagsByDevice(
            String accountId, long token, String messageId, java.util.Set<String> flags, String deviceId)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            long seq = Jdbc.allocateSeq(c, accountId, 1);
            // The device is the author (its delta will not echo the change) only when it had been handed the
            // row's previous version: otherwise the flags it gets back also carry what others changed meanwhile.
            try (PreparedStatement s = c.prepareStatement("UPDATE mirror_message m SET flags = ?, change_seq = ?,"
                    + " changed_by_device = CASE WHEN m.change_seq <= (SELECT GREATEST(d.delivered_seq, d.acked_seq)"
                    + " FROM device d WHERE d.id = ?) THEN ?::text END WHERE id = ? AND destroyed_seq IS NULL")) {
                s.setArray(1, Jdbc.textArray(c, flags));
                s.setLong(2, seq);
                s.setString(3, deviceId);
                s.setString(4, deviceId);
                s.setString(5, messageId);
                s.executeUpdate();
            }
        }
    }

    /** The id of the live message at {@code uid} of a folder, if the mirror has it. */
    public java.util.Optional<String> liveMessageId(String folderId, long uid) throws SQLException {
        return Jdbc.firstString(
                dataSource,
                "SELECT id FROM mirror_message WHERE folder_id = ? AND uid = ? AND destroyed_seq IS NULL",
                folderId,
                uid);
    }

    /**
     * How many live messages the mirror has in a folder: the number the database keeps in step with every
     * change of the folder's messages (V10), not a count over them.
     */
    public long liveCount(String folderId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT live_count FROM mirror_folder WHERE id = ?")) {
            s.setString(1, folderId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        }
    }

    /**
     * Most UIDs {@link #liveMessagesAt} looks up one by one; past that (a server that reports a huge
     * vanished range) reading the folder's live rows once is cheaper.
     */
    public static final int MAX_UID_LOOKUP = 50_000;

    /**
     * The live messages of a folder whose UID is one of {@code uids} or inside one of {@code ranges}. The
     * ranges are expanded into single UIDs so the statement is one {@code uid = ANY(?)} probe of the live
     * (folder_id, uid) index; a join against ranges let PostgreSQL pick a nested loop over the whole
     * folder (1.6 s at 100,000 messages where the probe takes 5 ms).
     */
    public List<MirrorMessageRef> liveMessagesAt(
            String folderId, List<Long> uids, List<dev.mailsync.sync.UidRange> ranges) throws SQLException {
        long[] wanted = expand(uids, ranges, MAX_UID_LOOKUP);
        if (wanted == null) {
            java.util.Set<Long> named = new java.util.HashSet<>(uids);
            return liveMessages(folderId).stream()
                    .filter(m -> named.contains(m.uid()) || ranges.stream().anyMatch(r -> r.contains(m.uid())))
                    .toList();
        }
        if (wanted.length == 0) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id, uid, flags FROM mirror_message"
                        + " WHERE folder_id = ? AND destroyed_seq IS NULL AND uid = ANY(?)")) {
            s.setString(1, folderId);
            Long[] boxed = new Long[wanted.length];
            for (int i = 0; i < wanted.length; i++) {
                boxed[i] = wanted[i];
            }
            s.setArray(2, c.createArrayOf("bigint", boxed));
            List<MirrorMessageRef> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new MirrorMessageRef(r.getString(1), r.getLong(2), Jdbc.stringSet(r, "flags")));
                }
            }
            return out;
        }
    }

    /** The distinct UIDs named, sorted; null when there are more than {@code max}. */
    static long[] expand(List<Long> uids, List<dev.mailsync.sync.UidRange> ranges, int max) {
        long total = uids.size();
        for (dev.mailsync.sync.UidRange r : ranges) {
            total += r.to() - r.from() + 1;
            if (total > max) {
                return null;
            }
        }
        java.util.TreeSet<Long> all = new java.util.TreeSet<>(uids);
        for (dev.mailsync.sync.UidRange r : ranges) {
            for (long uid = r.from(); uid <= r.to(); uid++) {
                all.add(uid);
            }
        }
        return all.stream().mapToLong(Long::longValue).toArray();
    }

    /** The UIDVALIDITY the mirror holds for a folder (null before its first refresh). */
    public Long folderUidValidity(String folderId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT uid_validity FROM mirror_folder WHERE id = ?")) {
            s.setString(1, folderId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Jdbc.nullableLong(r, "uid_validity") : null;
            }
        }
    }

    /** The id of the live folder of that name, if the mirror has it. */
    public java.util.Optional<String> liveFolderId(String accountId, String name) throws SQLException {
        return Jdbc.firstString(
                dataSource,
                "SELECT id FROM mirror_folder WHERE account_id = ? AND name = ? AND destroyed_seq IS NULL",
                accountId,
                name);
    }

    /** A folder a device created on the server: a new live folder authored by that device. */
    public String createFolderByDevice(String accountId, long token, FolderInfo folder, String deviceId)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            long seq = Jdbc.allocateSeq(c, accountId, 1);
            String id = Ids.next("fld");
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mirror_folder (id, account_id, name, delimiter,"
                    + " special_use, created_seq, change_seq, changed_by_device) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, accountId);
                s.setString(3, folder.name());
                s.setString(4, folder.delimiter());
                s.setString(5, folder.specialUse());
                s.setLong(6, seq);
                s.setLong(7, seq);
                s.setString(8, deviceId);
                s.executeUpdate();
            }
            return id;
        }
    }

    /**
     * A folder renamed (by a device, or seen renamed on the server when {@code deviceId} is null): it
     * keeps its id and messages, and so do its inferiors, whose names change with it (RFC 3501 §6.3.5).
     */
    public void renameFolder(
            String accountId, long token, String folderId, String newName, String delimiter, String deviceId)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            String oldName;
            try (PreparedStatement s = c.prepareStatement("SELECT name FROM mirror_folder WHERE id = ?")) {
                s.setString(1, folderId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return;
                    }
                    oldName = r.getString(1);
                }
            }
            List<String[]> renames = new ArrayList<>();
            renames.add(new String[] {folderId, newName});
            if (delimiter != null) {
                try (PreparedStatement s = c.prepareStatement("SELECT id, name FROM mirror_folder WHERE account_id = ?"
                        + " AND destroyed_seq IS NULL AND starts_with(name, ?) ORDER BY name")) {
                    s.setString(1, accountId);
                    s.setString(2, oldName + delimiter);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            renames.add(new String[] {
                                r.getString(1), newName + r.getString(2).substring(oldName.length())
                            });
                        }
                    }
                }
            }
            long seq = Jdbc.allocateSeq(c, accountId, renames.size());
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE mirror_folder SET name = ?, change_seq = ?," + " changed_by_device = ? WHERE id = ?")) {
                for (String[] r : renames) {
                    s.setString(1, r[1]);
                    s.setLong(2, seq++);
                    s.setString(3, deviceId);
                    s.setString(4, r[0]);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** A folder a device deleted on the server: its tombstone (and its messages'), authored by the device. */
    public void destroyFolderByDevice(String accountId, long token, String folderId, String deviceId, Instant now)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            destroyFolderMessages(c, accountId, folderId, CAUSE_DEVICE_FOLDER_DELETE, now);
            long seq = Jdbc.allocateSeq(c, accountId, 1);
            try (PreparedStatement s = c.prepareStatement("UPDATE mirror_folder SET destroyed_seq = ?,"
                    + " change_seq = ?, destroyed_cause = ?, destroyed_at = ?, changed_by_device = ?"
                    + " WHERE id = ? AND destroyed_seq IS NULL")) {
                s.setLong(1, seq);
                s.setLong(2, seq);
                s.setString(3, CAUSE_DEVICE_FOLDER_DELETE);
                s.setTimestamp(4, Jdbc.ts(now));
                s.setString(5, deviceId);
                s.setString(6, folderId);
                s.executeUpdate();
            }
        }
    }

    /** The name of a live folder of the account, by id. */
    public java.util.Optional<String> liveFolderName(String accountId, String folderId) throws SQLException {
        return Jdbc.firstString(
                dataSource,
                "SELECT name FROM mirror_folder WHERE id = ? AND account_id = ? AND destroyed_seq IS NULL",
                folderId,
                accountId);
    }

    /** The live folder with this special use (e.g. {@code \\Trash}), by name, if the server has one. */
    public java.util.Optional<String> specialUseFolder(String accountId, String specialUse) throws SQLException {
        return Jdbc.firstString(
                dataSource,
                "SELECT name FROM mirror_folder WHERE account_id = ? AND special_use = ? AND destroyed_seq IS NULL"
                        + " ORDER BY name LIMIT 1",
                accountId,
                specialUse);
    }

    /**
     * A device deleted or moved a message: its tombstone. Authored by the device ({@code deviceId} not
     * null) the device's own delta does not echo it; a move passes null, since the message's identity
     * changes and the device must learn the new one.
     */
    public void destroyByDevice(
            String accountId, long token, String messageId, String deviceId, String cause, Instant now)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            long seq = Jdbc.allocateSeq(c, accountId, 1);
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE mirror_message SET destroyed_seq = ?, change_seq = ?,"
                            + " destroyed_cause = ?, destroyed_at = ?, changed_by_device = ? WHERE id = ? AND destroyed_seq IS NULL")) {
                s.setLong(1, seq);
                s.setLong(2, seq);
                s.setString(3, cause);
                s.setTimestamp(4, Jdbc.ts(now));
                s.setString(5, deviceId);
                s.setString(6, messageId);
                s.executeUpdate();
            }
        }
    }

    /** Adds new messages of a folder; a UID already live in the mirror is left as it is. */
    public void insertMessages(String accountId, long token, String folderId, List<MessageSummary> messages)
            throws SQLException {
        insertMessages(accountId, token, folderId, messages, null);
    }

    /**
     * Adds new messages of a folder, authored by {@code deviceId} when a device's APPEND made them (that
     * device learns the id from its change result and does not get the message back as news).
     */
    public void insertMessages(
            String accountId, long token, String folderId, List<MessageSummary> messages, String deviceId)
            throws SQLException {
        if (messages.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            if (messages.size() >= COPY_FROM) {
                copyNew(c, accountId, folderId, messages, deviceId);
                return;
            }
            long seq = Jdbc.allocateSeq(c, accountId, messages.size());
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mirror_message (id, account_id, folder_id, uid,"
                    + " flags, subject, from_addresses, to_addresses, cc_addresses, sent_at, message_id, size,"
                    + " internal_date, preview, has_attachments, created_seq, change_seq, changed_by_device)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (folder_id, uid) WHERE destroyed_seq IS NULL DO NOTHING")) {
                for (MessageSummary m : messages) {
                    s.setString(1, Ids.next("msg"));
                    s.setString(2, accountId);
                    s.setString(3, folderId);
                    s.setLong(4, m.uid());
                    s.setArray(5, Jdbc.textArray(c, m.flags()));
                    s.setString(6, clean(m.subject()));
                    s.setString(7, addresses(m.from()));
                    s.setString(8, addresses(m.to()));
                    s.setString(9, addresses(m.cc()));
                    s.setTimestamp(10, Jdbc.ts(m.sentAt()));
                    s.setString(11, clean(m.messageId()));
                    s.setLong(12, m.size());
                    s.setTimestamp(13, Jdbc.ts(m.internalDate()));
                    s.setString(14, clean(m.preview()));
                    s.setBoolean(15, m.hasAttachments());
                    s.setLong(16, seq);
                    s.setLong(17, seq++);
                    s.setString(18, deviceId);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** From this many new messages on, {@link #insertMessages} writes them with a binary COPY. */
    public static final int COPY_FROM = 100;

    /**
     * The COPY path of {@link #insertMessages}. COPY has no ON CONFLICT, and no lookup is made first: the
     * new UIDs come from a plan made against the mirror under the job's lease, so none is live in the
     * folder. (Such a lookup, made while the folder fills and before PostgreSQL has statistics for it,
     * walked the whole folder for every chunk: 53 s for a first sync of 100,000.) Should one be live after
     * all, the unique index refuses the COPY, the chunk's transaction rolls back, the job fails and its retry
     * plans again from the mirror: never a duplicate, never a half-written chunk.
     */
    private void copyNew(
            Connection c, String accountId, String folderId, List<MessageSummary> messages, String deviceId)
            throws SQLException {
        long seq = Jdbc.allocateSeq(c, accountId, messages.size());
        List<NewMessage> rows = new ArrayList<>(messages.size());
        for (MessageSummary m : messages) {
            rows.add(new NewMessage(Ids.next("msg"), m.uid(), null, m, m.size(), seq++, deviceId));
        }
        copyRows(c, accountId, folderId, rows);
    }

    /**
     * A new mirror row: its id, UID (POP3: the change number), POP3 UIDL (IMAP: null), summary, size, change
     * number (created and changed), and the device that made it (null: the server).
     */
    record NewMessage(
            String id, long uid, String uidl, MessageSummary summary, long size, long seq, String changedByDevice) {}

    private static final String COPY_TARGET = "mirror_message (id, account_id, folder_id, uid, uidl, flags, subject,"
            + " from_addresses, to_addresses, cc_addresses, sent_at, message_id, size, internal_date, preview,"
            + " has_attachments, created_seq, change_seq, changed_by_device)";
    private static final int COPY_FIELDS = 19;

    /**
     * Writes new mirror rows with one binary COPY on the caller's connection, so they belong to its
     * transaction; constraints, foreign keys and the live-count trigger apply as for INSERTs.
     */
    static void copyRows(Connection c, String accountId, String folderId, List<NewMessage> rows) throws SQLException {
        try (BinaryCopy copy = BinaryCopy.start(c, COPY_TARGET)) {
            for (NewMessage n : rows) {
                MessageSummary m = n.summary();
                copy.row(COPY_FIELDS)
                        .text(n.id())
                        .text(accountId)
                        .text(folderId)
                        .int8(n.uid())
                        .text(n.uidl())
                        .textArray(new java.util.TreeSet<>(m.flags())) // sorted, as Jdbc.textArray writes them
                        .text(clean(m.subject()))
                        .jsonb(addresses(m.from()))
                        .jsonb(addresses(m.to()))
                        .jsonb(addresses(m.cc()))
                        .timestamptz(m.sentAt())
                        .text(clean(m.messageId()))
                        .int8(n.size())
                        .timestamptz(m.internalDate())
                        .text(clean(m.preview()))
                        .bool(m.hasAttachments())
                        .int8(n.seq())
                        .int8(n.seq())
                        .text(n.changedByDevice());
            }
            copy.finish();
        }
    }

    /** Runs {@link #analyze} off the job's thread; at most one waiting behind the one running. */
    private final java.util.concurrent.ExecutorService analyzer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mailsync-mirror-analyze");
        t.setDaemon(true);
        return t;
    });

    private final java.util.concurrent.atomic.AtomicBoolean analyzeQueued =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Asks for {@link #analyze} soon, without waiting for it: the job that loaded the rows is done without
     * it, the next sync of the folder benefits. Requests while one is queued are merged into it.
     */
    public void analyzeSoon() {
        if (analyzeQueued.compareAndSet(false, true)) {
            try {
                analyzer.execute(() -> {
                    analyzeQueued.set(false);
                    analyze();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                analyzeQueued.set(false);
            }
        }
    }

    @jakarta.annotation.PreDestroy
    void stopAnalyzer() {
        analyzer.shutdownNow();
    }

    /**
     * Refreshes PostgreSQL's statistics of the mirror's (folder_id, uid, destroyed_seq) after a bulk load
     * (the advice of PostgreSQL's "Populating a Database"): right after a first sync of a large folder the
     * planner would otherwise take the table for small until autovacuum gets to it, and answer a lookup of a
     * few UIDs by walking the folder. ANALYZE samples a bounded number of rows whatever the table's size;
     * only the columns those lookups filter on are analysed. Best effort: if another session (autovacuum,
     * another instance) is analysing the table, or the role may not, it is skipped.
     */
    public void analyze() {
        try {
            Tx.call(() -> {
                try (Connection c = dataSource.getConnection();
                        java.sql.Statement s = c.createStatement()) {
                    s.execute("SET LOCAL lock_timeout = '100ms'");
                    s.execute("ANALYZE mirror_message (folder_id, uid, destroyed_seq)");
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.debugf("ANALYZE of the mirror skipped: %s", e.getMessage());
        }
    }

    /** Records what the server said of a folder, once its new messages are all in the mirror. */
    public void updateFolderStatus(String accountId, long token, String folderId, FolderStatus status)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobStore.fence(c, accountId, token);
            try (PreparedStatement s = c.prepareStatement("UPDATE mirror_folder SET uid_validity = ?, uid_next = ?,"
                    + " highest_modseq = ?, message_count = ? WHERE id = ?")) {
                s.setLong(1, status.uidValidity());
                s.setLong(2, status.uidNext());
                Jdbc.setNullableLong(s, 3, status.highestModSeq());
                s.setLong(4, status.messages());
                s.setString(5, folderId);
                s.executeUpdate();
            }
        }
    }

    /**
     * Deletes tombstones destroyed before {@code olderThan} and raises each account's purged_seq, so a
     * state older than what is gone answers 410. Returns how many accounts lost tombstones.
     */
    public int purgeTombstones(Instant olderThan) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            int accounts = 0;
            for (String table : List.of("mirror_message", "mirror_folder")) {
                try (PreparedStatement s = c.prepareStatement("WITH gone AS (DELETE FROM " + table
                        + " WHERE destroyed_at < ? RETURNING account_id, destroyed_seq)"
                        + " UPDATE account a SET purged_seq = GREATEST(a.purged_seq, g.max_seq)"
                        + " FROM (SELECT account_id, max(destroyed_seq) AS max_seq FROM gone GROUP BY account_id) g"
                        + " WHERE a.id = g.account_id")) {
                    s.setTimestamp(1, Jdbc.ts(olderThan));
                    accounts += s.executeUpdate();
                }
            }
            return accounts;
        }
    }

    /** PostgreSQL text cannot hold NUL; servers do send it sometimes. */
    static String clean(String s) {
        return s == null || s.indexOf('\u0000') < 0 ? s : s.replace("\u0000", "");
    }

    /** A JSON array of {name?, email} objects, the form of the *_addresses columns. */
    static String addresses(List<MailAddress> list) {
        if (list.isEmpty()) {
            return "[]";
        }
        java.io.StringWriter out = new java.io.StringWriter(64 * list.size());
        try (com.fasterxml.jackson.core.JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (MailAddress a : list) {
                g.writeStartObject();
                if (a.name() != null) {
                    g.writeStringField("name", clean(a.name()));
                }
                g.writeStringField("email", a.email() == null ? "" : clean(a.email()));
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString();
    }
}
