package dev.mailsync.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.imap.ImapConnection;
import dev.mailsync.store.MirrorStore;
import dev.mailsync.store.SyncJob;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.ChangeResult;
import dev.mailsync.sync.ChangeResult.Status;
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
 * SET_FLAGS, DELETE and MOVE are applied; the other types are answered REJECTED with a NOT_SUPPORTED
 * reason, never dropped. SET_FLAGS is idempotent, so a retried job answers ALREADY_APPLIED for what its
 * first attempt did.
 */
final class DeviceChanges {
    static final String NOT_SUPPORTED =
            "NOT_SUPPORTED: this version of mailsync writes only SET_FLAGS, DELETE and MOVE back to the server";
    private static final String NOT_IN_MIRROR = "no such message (it may be gone)";
    private static final String NOT_ON_SERVER =
            "the message is no longer on the server under that UID (expunged, or UIDVALIDITY changed)";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeviceChanges() {}

    /** One stored change, its position in the job, and what the engine needs to apply it. */
    private record Change(
            int index, JsonNode body, ImapConnection imap, MirrorStore mirror, SyncJob job, long token, Instant now) {

        String type() {
            return body.path("type").asText();
        }

        ChangeResult result(Status status, String reason) {
            return new ChangeResult(index, changeId(body), type(), status, reason);
        }

        /** The live message the change names, if the mirror has it with a known UIDVALIDITY. */
        Optional<MirrorStore.MessageTarget> message() {
            String messageId = body.path("messageId").asText();
            return Tx.call(() -> mirror.liveMessage(job.accountId(), messageId)).filter(m -> m.uidValidity() != null);
        }
    }

    static List<JsonNode> parse(SyncJob job) {
        try {
            List<JsonNode> list = new ArrayList<>();
            JSON.readTree(job.changesJson()).forEach(list::add);
            return list;
        } catch (IOException e) {
            throw new IllegalStateException("stored changes of job " + job.id() + " are not JSON", e);
        }
    }

    private static String changeId(JsonNode change) {
        return change.hasNonNull("changeId") ? change.get("changeId").asText() : null;
    }

    static List<ChangeResult> apply(
            ImapConnection imap, MirrorStore mirror, SyncJob job, long token, ImapDeleteMode deleteMode, Instant now)
            throws MailAccessException {
        List<ChangeResult> results = new ArrayList<>();
        List<JsonNode> changes = parse(job);
        for (int i = 0; i < changes.size(); i++) {
            Change change = new Change(i, changes.get(i), imap, mirror, job, token, now);
            results.add(
                    switch (change.type()) {
                        case "SET_FLAGS" -> setFlags(change);
                        case "DELETE" -> delete(change, deleteMode);
                        case "MOVE" -> move(change);
                        default -> change.result(Status.REJECTED, NOT_SUPPORTED);
                    });
        }
        return results;
    }

    private static ChangeResult setFlags(Change c) throws MailAccessException {
        Set<String> add = strings(c.body().path("add"));
        Set<String> remove = strings(c.body().path("remove"));
        Optional<MirrorStore.MessageTarget> target = c.message();
        if (target.isEmpty()) {
            return c.result(Status.NOT_FOUND, NOT_IN_MIRROR);
        }
        MirrorStore.MessageTarget m = target.get();
        if (m.flags().containsAll(add) && remove.stream().noneMatch(m.flags()::contains)) {
            return c.result(Status.ALREADY_APPLIED, null);
        }
        ImapConnection.StoreOutcome outcome =
                c.imap().storeFlags(m.folderName(), m.uidValidity(), m.uid(), add, remove);
        if (!outcome.found()) {
            return c.result(Status.NOT_FOUND, NOT_ON_SERVER);
        }
        Tx.call(() -> {
            c.mirror()
                    .setFlagsByDevice(
                            c.job().accountId(),
                            c.token(),
                            m.id(),
                            outcome.flags(),
                            c.job().deviceId());
            return null;
        });
        return c.result(Status.APPLIED, null);
    }

    /**
     * DELETE by the account's delete mode: TRASH moves the message to the special-use Trash folder (a
     * message already in Trash is expunged), EXPUNGE sets the Deleted flag and UID EXPUNGEs that UID.
     */
    private static ChangeResult delete(Change c, ImapDeleteMode mode) throws MailAccessException {
        Optional<MirrorStore.MessageTarget> target = c.message();
        if (target.isEmpty()) {
            return c.result(Status.NOT_FOUND, NOT_IN_MIRROR);
        }
        MirrorStore.MessageTarget m = target.get();
        String trash = null;
        if (mode == ImapDeleteMode.TRASH) {
            Optional<String> trashFolder =
                    Tx.call(() -> c.mirror().specialUseFolder(c.job().accountId(), "\\Trash"));
            if (trashFolder.isEmpty()) {
                return c.result(
                        Status.REJECTED,
                        "the server has no special-use \\Trash folder; set imapDeleteMode EXPUNGE to delete for good");
            }
            trash = trashFolder.get().equals(m.folderName()) ? null : trashFolder.get();
        }
        return switch (c.imap().deleteMessage(m.folderName(), m.uidValidity(), m.uid(), trash)) {
            case NOT_FOUND -> c.result(Status.NOT_FOUND, NOT_ON_SERVER);
            case UNSUPPORTED ->
                c.result(
                        Status.REJECTED,
                        "the server has no UIDPLUS: deleting one message would need a plain EXPUNGE, which mailsync never sends");
            case DELETED -> {
                destroy(c, m, c.job().deviceId(), MirrorStore.CAUSE_DEVICE_DELETE);
                yield c.result(Status.APPLIED, null);
            }
        };
    }

    /**
     * MOVE to another folder of the mirror. The message gets a new identity (the UID COPYUID reports):
     * the old one becomes a tombstone for every device, the author included, and the new one is fetched
     * and created at once.
     */
    private static ChangeResult move(Change c) throws MailAccessException {
        String toFolderId = c.body().path("toFolderId").asText();
        Optional<MirrorStore.MessageTarget> target = c.message();
        Optional<String> toFolder =
                Tx.call(() -> c.mirror().liveFolderName(c.job().accountId(), toFolderId));
        if (target.isEmpty()) {
            return c.result(Status.NOT_FOUND, NOT_IN_MIRROR);
        }
        if (toFolder.isEmpty()) {
            return c.result(Status.NOT_FOUND, "no such target folder");
        }
        MirrorStore.MessageTarget m = target.get();
        if (m.folderId().equals(toFolderId)) {
            return c.result(Status.ALREADY_APPLIED, null);
        }
        ImapConnection.MoveOutcome outcome =
                c.imap().moveMessage(m.folderName(), m.uidValidity(), m.uid(), toFolder.get());
        return switch (outcome.status()) {
            case NOT_FOUND -> c.result(Status.NOT_FOUND, NOT_ON_SERVER);
            case UNSUPPORTED ->
                c.result(
                        Status.REJECTED,
                        "the server has neither MOVE nor UIDPLUS: a move would need a plain EXPUNGE, which mailsync never sends");
            case DELETED -> {
                destroy(c, m, null, MirrorStore.CAUSE_DEVICE_MOVE);
                if (outcome.newUid() != null) {
                    c.imap()
                            .fetchSummaries(
                                    toFolder.get(),
                                    List.of(outcome.newUid()),
                                    1,
                                    chunk -> Tx.call(() -> {
                                        c.mirror().insertMessages(c.job().accountId(), c.token(), toFolderId, chunk);
                                        return null;
                                    }));
                }
                yield c.result(Status.APPLIED, null);
            }
        };
    }

    private static void destroy(Change c, MirrorStore.MessageTarget m, String author, String cause) {
        Tx.call(() -> {
            c.mirror().destroyByDevice(c.job().accountId(), c.token(), m.id(), author, cause, c.now());
            return null;
        });
    }

    /** Results for a job that ended before its changes could be written (failure or cancel). */
    static List<ChangeResult> notApplied(SyncJob job, String why) {
        List<ChangeResult> results = new ArrayList<>();
        List<JsonNode> changes = parse(job);
        for (int i = 0; i < changes.size(); i++) {
            JsonNode change = changes.get(i);
            results.add(
                    new ChangeResult(i, changeId(change), change.path("type").asText(), Status.REJECTED, why));
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
