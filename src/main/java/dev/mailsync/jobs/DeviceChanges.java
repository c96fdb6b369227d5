package dev.mailsync.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.imap.ImapConnection;
import dev.mailsync.store.MirrorStore;
import dev.mailsync.store.SyncJob;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.ChangeResult;
import dev.mailsync.sync.ImapDeleteMode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a job's device changes back to the IMAP server before the refresh, one result per change.
 * SET_FLAGS is applied; the other types arrive with the rest of the IMAP write-back and are answered
 * REJECTED with a NOT_SUPPORTED reason, never dropped. SET_FLAGS is idempotent, so a retried job
 * answers ALREADY_APPLIED for what its first attempt did.
 */
final class DeviceChanges {
    static final String NOT_SUPPORTED =
            "NOT_SUPPORTED: this version of mailsync writes only SET_FLAGS, DELETE and MOVE back to the server";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeviceChanges() {}

    static List<JsonNode> parse(SyncJob job) {
        try {
            List<JsonNode> list = new ArrayList<>();
            JSON.readTree(job.changesJson()).forEach(list::add);
            return list;
        } catch (IOException e) {
            throw new IllegalStateException("stored changes of job " + job.id() + " are not JSON", e);
        }
    }

    static List<ChangeResult> apply(
            ImapConnection imap, MirrorStore mirror, SyncJob job, long token, ImapDeleteMode deleteMode, Instant now)
            throws MailAccessException {
        List<ChangeResult> results = new ArrayList<>();
        List<JsonNode> changes = parse(job);
        for (int i = 0; i < changes.size(); i++) {
            JsonNode change = changes.get(i);
            String type = change.path("type").asText();
            String changeId =
                    change.hasNonNull("changeId") ? change.get("changeId").asText() : null;
            switch (type) {
                case "SET_FLAGS" -> results.add(setFlags(imap, mirror, job, token, i, changeId, change));
                case "DELETE" -> results.add(delete(imap, mirror, job, token, i, changeId, change, deleteMode, now));
                case "MOVE" -> results.add(move(imap, mirror, job, token, i, changeId, change, now));
                default ->
                    results.add(new ChangeResult(i, changeId, type, ChangeResult.Status.REJECTED, NOT_SUPPORTED));
            }
        }
        return results;
    }

    private static ChangeResult setFlags(
            ImapConnection imap, MirrorStore mirror, SyncJob job, long token, int index, String changeId, JsonNode c)
            throws MailAccessException {
        String messageId = c.path("messageId").asText();
        Set<String> add = strings(c.path("add"));
        Set<String> remove = strings(c.path("remove"));
        Optional<MirrorStore.MessageTarget> target = Tx.call(() -> mirror.liveMessage(job.accountId(), messageId));
        if (target.isEmpty() || target.get().uidValidity() == null) {
            return new ChangeResult(
                    index, changeId, "SET_FLAGS", ChangeResult.Status.NOT_FOUND, "no such message (it may be gone)");
        }
        MirrorStore.MessageTarget m = target.get();
        if (m.flags().containsAll(add) && remove.stream().noneMatch(m.flags()::contains)) {
            return new ChangeResult(index, changeId, "SET_FLAGS", ChangeResult.Status.ALREADY_APPLIED, null);
        }
        ImapConnection.StoreOutcome outcome = imap.storeFlags(m.folderName(), m.uidValidity(), m.uid(), add, remove);
        if (!outcome.found()) {
            return new ChangeResult(
                    index,
                    changeId,
                    "SET_FLAGS",
                    ChangeResult.Status.NOT_FOUND,
                    "the message is no longer on the server under that UID (expunged, or UIDVALIDITY changed)");
        }
        Tx.call(() -> {
            mirror.setFlagsByDevice(job.accountId(), token, m.id(), outcome.flags(), job.deviceId());
            return null;
        });
        return new ChangeResult(index, changeId, "SET_FLAGS", ChangeResult.Status.APPLIED, null);
    }

    /**
     * DELETE by the account's delete mode: TRASH moves the message to the special-use Trash folder (a
     * message already in Trash is expunged), EXPUNGE sets the Deleted flag and UID EXPUNGEs that UID.
     */
    private static ChangeResult delete(
            ImapConnection imap,
            MirrorStore mirror,
            SyncJob job,
            long token,
            int index,
            String changeId,
            JsonNode c,
            ImapDeleteMode mode,
            Instant now)
            throws MailAccessException {
        String messageId = c.path("messageId").asText();
        Optional<MirrorStore.MessageTarget> target = Tx.call(() -> mirror.liveMessage(job.accountId(), messageId));
        if (target.isEmpty() || target.get().uidValidity() == null) {
            return new ChangeResult(
                    index, changeId, "DELETE", ChangeResult.Status.NOT_FOUND, "no such message (it may be gone)");
        }
        MirrorStore.MessageTarget m = target.get();
        String trash = null;
        if (mode == ImapDeleteMode.TRASH) {
            Optional<String> trashFolder = Tx.call(() -> mirror.specialUseFolder(job.accountId(), "\\Trash"));
            if (trashFolder.isEmpty()) {
                return new ChangeResult(
                        index,
                        changeId,
                        "DELETE",
                        ChangeResult.Status.REJECTED,
                        "the server has no special-use \\Trash folder; set imapDeleteMode EXPUNGE to delete for good");
            }
            trash = trashFolder.get().equals(m.folderName()) ? null : trashFolder.get();
        }
        ImapConnection.DeleteOutcome outcome = imap.deleteMessage(m.folderName(), m.uidValidity(), m.uid(), trash);
        return switch (outcome) {
            case NOT_FOUND ->
                new ChangeResult(
                        index,
                        changeId,
                        "DELETE",
                        ChangeResult.Status.NOT_FOUND,
                        "the message is no longer on the server under that UID (expunged, or UIDVALIDITY changed)");
            case UNSUPPORTED ->
                new ChangeResult(
                        index,
                        changeId,
                        "DELETE",
                        ChangeResult.Status.REJECTED,
                        "the server has no UIDPLUS: deleting one message would need a plain EXPUNGE, which mailsync never sends");
            case DELETED -> {
                Tx.call(() -> {
                    mirror.destroyByDevice(
                            job.accountId(), token, m.id(), job.deviceId(), MirrorStore.CAUSE_DEVICE_DELETE, now);
                    return null;
                });
                yield new ChangeResult(index, changeId, "DELETE", ChangeResult.Status.APPLIED, null);
            }
        };
    }

    /**
     * MOVE to another folder of the mirror. The message gets a new identity (the UID COPYUID reports):
     * the old one becomes a tombstone for every device, the author included, and the new one is fetched
     * and created at once.
     */
    private static ChangeResult move(
            ImapConnection imap,
            MirrorStore mirror,
            SyncJob job,
            long token,
            int index,
            String changeId,
            JsonNode c,
            Instant now)
            throws MailAccessException {
        String messageId = c.path("messageId").asText();
        String toFolderId = c.path("toFolderId").asText();
        Optional<MirrorStore.MessageTarget> target = Tx.call(() -> mirror.liveMessage(job.accountId(), messageId));
        Optional<String> toFolder = Tx.call(() -> mirror.liveFolderName(job.accountId(), toFolderId));
        if (target.isEmpty() || target.get().uidValidity() == null) {
            return new ChangeResult(
                    index, changeId, "MOVE", ChangeResult.Status.NOT_FOUND, "no such message (it may be gone)");
        }
        if (toFolder.isEmpty()) {
            return new ChangeResult(index, changeId, "MOVE", ChangeResult.Status.NOT_FOUND, "no such target folder");
        }
        MirrorStore.MessageTarget m = target.get();
        if (m.folderId().equals(toFolderId)) {
            return new ChangeResult(index, changeId, "MOVE", ChangeResult.Status.ALREADY_APPLIED, null);
        }
        ImapConnection.MoveOutcome outcome = imap.moveMessage(m.folderName(), m.uidValidity(), m.uid(), toFolder.get());
        return switch (outcome.status()) {
            case NOT_FOUND ->
                new ChangeResult(
                        index,
                        changeId,
                        "MOVE",
                        ChangeResult.Status.NOT_FOUND,
                        "the message is no longer on the server under that UID (expunged, or UIDVALIDITY changed)");
            case UNSUPPORTED ->
                new ChangeResult(
                        index,
                        changeId,
                        "MOVE",
                        ChangeResult.Status.REJECTED,
                        "the server has neither MOVE nor UIDPLUS: a move would need a plain EXPUNGE, which mailsync never sends");
            case DELETED -> {
                Tx.call(() -> {
                    mirror.destroyByDevice(job.accountId(), token, m.id(), null, MirrorStore.CAUSE_DEVICE_MOVE, now);
                    return null;
                });
                if (outcome.newUid() != null) {
                    imap.fetchSummaries(
                            toFolder.get(),
                            List.of(outcome.newUid()),
                            1,
                            chunk -> Tx.call(() -> {
                                mirror.insertMessages(job.accountId(), token, toFolderId, chunk);
                                return null;
                            }));
                }
                yield new ChangeResult(index, changeId, "MOVE", ChangeResult.Status.APPLIED, null);
            }
        };
    }

    /** Results for a job that ended before its changes could be written (failure or cancel). */
    static List<ChangeResult> notApplied(SyncJob job, String why) {
        List<ChangeResult> results = new ArrayList<>();
        List<JsonNode> changes = parse(job);
        for (int i = 0; i < changes.size(); i++) {
            JsonNode change = changes.get(i);
            results.add(new ChangeResult(
                    i,
                    change.hasNonNull("changeId") ? change.get("changeId").asText() : null,
                    change.path("type").asText(),
                    ChangeResult.Status.REJECTED,
                    why));
        }
        return results;
    }

    static String json(List<ChangeResult> results) {
        try {
            return JSON.writeValueAsString(results);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
