package dev.mailsync.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.imap.ImapConnection;
import dev.mailsync.store.MirrorStore;
import dev.mailsync.store.SyncJob;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.ChangeResult;
import dev.mailsync.sync.ChangeResult.Status;
import dev.mailsync.sync.DeviceChange;
import dev.mailsync.sync.DeviceChange.Append;
import dev.mailsync.sync.DeviceChange.CreateFolder;
import dev.mailsync.sync.DeviceChange.Delete;
import dev.mailsync.sync.DeviceChange.DeleteFolder;
import dev.mailsync.sync.DeviceChange.Move;
import dev.mailsync.sync.DeviceChange.RenameFolder;
import dev.mailsync.sync.DeviceChange.SetFlags;
import dev.mailsync.sync.FolderInfo;
import dev.mailsync.sync.ImapDeleteMode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a job's device changes back to the IMAP server before the refresh, one result per change.
 * Every kind of change is applied in the order the device made them; each is answered (never dropped).
 * SET_FLAGS is idempotent, so a retried job answers ALREADY_APPLIED for what its first attempt did.
 */
final class DeviceChanges {
    private static final String NOT_IN_MIRROR = "no such message (it may be gone)";
    private static final String NOT_ON_SERVER =
            "the message is no longer on the server under that UID (expunged, or UIDVALIDITY changed)";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeviceChanges() {}

    /** One change, its position in the job, and what the engine needs to apply it. */
    private record Change(
            int index,
            DeviceChange change,
            ImapConnection imap,
            MirrorStore mirror,
            SyncJob job,
            long token,
            Instant now) {

        ChangeResult result(Status status, String reason) {
            return new ChangeResult(index, change.changeId(), change.kind().name(), status, reason);
        }

        ChangeResult result(DeviceChange.Answer answer) {
            return result(answer.status(), answer.reason());
        }

        ChangeResult message(Status status, String messageId) {
            return new ChangeResult(index, change.changeId(), change.kind().name(), status, null, messageId, null);
        }

        ChangeResult folder(Status status, String folderId) {
            return new ChangeResult(index, change.changeId(), change.kind().name(), status, null, null, folderId);
        }

        String accountId() {
            return job.accountId();
        }

        /** The live message a change names, if the mirror has it with a known UIDVALIDITY. */
        Optional<MirrorStore.MessageTarget> message(DeviceChange.OfMessage named) {
            return Tx.call(() -> mirror.liveMessage(job.accountId(), named.messageId()))
                    .filter(m -> m.uidValidity() != null);
        }
    }

    static List<ChangeResult> apply(
            ImapConnection imap, MirrorStore mirror, SyncJob job, long token, ImapDeleteMode deleteMode, Instant now)
            throws MailAccessException {
        List<ChangeResult> results = new ArrayList<>();
        List<DeviceChange> changes = job.changes();
        for (int i = 0; i < changes.size(); i++) {
            Change c = new Change(i, changes.get(i), imap, mirror, job, token, now);
            results.add(
                    switch (c.change()) {
                        case SetFlags s -> setFlags(c, s);
                        case Delete d -> delete(c, d, deleteMode);
                        case Move m -> move(c, m);
                        case Append a -> append(c, a);
                        case CreateFolder f -> createFolder(c, f);
                        case RenameFolder r -> renameFolder(c, r);
                        case DeleteFolder d -> deleteFolder(c, d);
                    });
        }
        return results;
    }

    private static ChangeResult setFlags(Change c, SetFlags change) throws MailAccessException {
        Set<String> add = Set.copyOf(change.add());
        Set<String> remove = Set.copyOf(change.remove());
        Optional<MirrorStore.MessageTarget> target = c.message(change);
        if (target.isEmpty()) {
            return c.result(Status.NOT_FOUND, NOT_IN_MIRROR);
        }
        MirrorStore.MessageTarget m = target.get();
        Optional<DeviceChange.Answer> done = change.alreadyApplied(m.flags());
        if (done.isPresent()) {
            return c.result(done.get());
        }
        ImapConnection.StoreOutcome outcome =
                c.imap().storeFlags(m.folderName(), m.uidValidity(), m.uid(), add, remove, m.folderModSeq());
        if (!outcome.found()) {
            return c.result(Status.NOT_FOUND, NOT_ON_SERVER);
        }
        // Flags changed elsewhere that the server merged in must reach the device too (no author mark).
        String author = change.authored(m.flags(), outcome.flags()) ? c.job().deviceId() : null;
        Tx.call(() -> {
            c.mirror().setFlagsByDevice(c.job().accountId(), c.token(), m.id(), outcome.flags(), author);
            return null;
        });
        return c.result(Status.APPLIED, null);
    }

    /**
     * DELETE by the account's delete mode: TRASH moves the message to the special-use Trash folder (a
     * message already in Trash is expunged), EXPUNGE sets the Deleted flag and UID EXPUNGEs that UID.
     */
    private static ChangeResult delete(Change c, Delete change, ImapDeleteMode mode) throws MailAccessException {
        Optional<MirrorStore.MessageTarget> target = c.message(change);
        if (target.isEmpty()) {
            return c.result(Status.NOT_FOUND, NOT_IN_MIRROR);
        }
        MirrorStore.MessageTarget m = target.get();
        Optional<String> trash = mode == ImapDeleteMode.TRASH
                ? Tx.call(() -> c.mirror().specialUseFolder(c.job().accountId(), "\\Trash"))
                : Optional.empty();
        Optional<DeviceChange.Answer> refused = change.refused(mode, trash);
        if (refused.isPresent()) {
            return c.result(refused.get());
        }
        String moveTo = change.movesTo(mode, trash, m.folderName()).orElse(null);
        return switch (c.imap().deleteMessage(m.folderName(), m.uidValidity(), m.uid(), moveTo)) {
            case NOT_FOUND -> c.result(Status.NOT_FOUND, NOT_ON_SERVER);
            case UNSUPPORTED -> c.result(Status.REJECTED, Delete.NEEDS_UIDPLUS);
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
    private static ChangeResult move(Change c, Move change) throws MailAccessException {
        String toFolderId = change.toFolderId();
        Optional<MirrorStore.MessageTarget> target = c.message(change);
        Optional<String> toFolder =
                Tx.call(() -> c.mirror().liveFolderName(c.job().accountId(), toFolderId));
        if (target.isEmpty()) {
            return c.result(Status.NOT_FOUND, NOT_IN_MIRROR);
        }
        if (toFolder.isEmpty()) {
            return c.result(Status.NOT_FOUND, "no such target folder");
        }
        MirrorStore.MessageTarget m = target.get();
        Optional<DeviceChange.Answer> done = change.alreadyApplied(m.folderId());
        if (done.isPresent()) {
            return c.result(done.get());
        }
        ImapConnection.MoveOutcome outcome =
                c.imap().moveMessage(m.folderName(), m.uidValidity(), m.uid(), toFolder.get());
        return switch (outcome.status()) {
            case NOT_FOUND -> c.result(Status.NOT_FOUND, NOT_ON_SERVER);
            case UNSUPPORTED -> c.result(Status.REJECTED, Move.NEEDS_MOVE_OR_UIDPLUS);
            case DELETED -> {
                destroy(c, m, null, MirrorStore.CAUSE_DEVICE_MOVE);
                String newId = outcome.newUid() == null
                        ? null
                        : addToMirror(c, toFolderId, toFolder.get(), outcome.newUid(), null);
                yield c.message(Status.APPLIED, newId);
            }
        };
    }

    /**
     * Fetches the summary of one message the job put on the server and adds it to the mirror at once
     * ({@code author} null: every device gets it as created). Answers its id, or null when the server no
     * longer has that UID (the next refresh settles it).
     */
    private static String addToMirror(Change c, String folderId, String folderName, long uid, String author)
            throws MailAccessException {
        Optional<String> known = Tx.call(() -> c.mirror().liveMessageId(folderId, uid));
        if (known.isPresent()) {
            return known.get();
        }
        c.imap()
                .fetchSummaries(
                        folderName,
                        List.of(uid),
                        1,
                        chunk -> Tx.call(() -> {
                            c.mirror().insertMessages(c.accountId(), c.token(), folderId, chunk, author);
                            return null;
                        }));
        return Tx.call(() -> c.mirror().liveMessageId(folderId, uid)).orElse(null);
    }

    /**
     * APPEND of a message the device made (a sent message into Sent, a draft into Drafts). With
     * APPENDUID (UIDPLUS) the message is in the mirror at once, authored by the device, and its id is in
     * the result; without it the job's refresh brings it to every device. A message whose Message-ID is
     * in the folder already is not appended twice (ALREADY_APPLIED): a retried job does not duplicate.
     */
    private static ChangeResult append(Change c, Append change) throws MailAccessException {
        String folderId = change.folderId();
        Optional<String> folder = Tx.call(() -> c.mirror().liveFolderName(c.accountId(), folderId));
        if (folder.isEmpty()) {
            return c.result(Status.NOT_FOUND, "no such folder");
        }
        byte[] raw = Base64.getDecoder().decode(change.rfc822());
        ImapConnection.AppendOutcome outcome = c.imap().append(folder.get(), raw, new HashSet<>(change.flags()));
        Long uidValidity = Tx.call(() -> c.mirror().folderUidValidity(folderId));
        boolean mapped = outcome.uid() != null && java.util.Objects.equals(uidValidity, outcome.uidValidity());
        return switch (outcome.status()) {
            case NO_FOLDER -> c.result(Status.NOT_FOUND, "the folder is gone from the server");
            case REFUSED -> c.result(Status.REJECTED, "the server refused the message: " + outcome.serverText());
            case ALREADY_THERE ->
                c.message(
                        Status.ALREADY_APPLIED,
                        mapped
                                ? addToMirror(
                                        c,
                                        folderId,
                                        folder.get(),
                                        outcome.uid(),
                                        c.job().deviceId())
                                : null);
            case APPENDED ->
                c.message(
                        Status.APPLIED,
                        mapped
                                ? addToMirror(
                                        c,
                                        folderId,
                                        folder.get(),
                                        outcome.uid(),
                                        c.job().deviceId())
                                : null);
        };
    }

    private static final String SERVER_REFUSED = "the server refused: ";

    /** CREATE of a folder; an existing folder of that name answers ALREADY_APPLIED with its id. */
    private static ChangeResult createFolder(Change c, CreateFolder change) throws MailAccessException {
        String name = change.name();
        Optional<String> known = Tx.call(() -> c.mirror().liveFolderId(c.accountId(), name));
        if (known.isPresent()) {
            return c.folder(Status.ALREADY_APPLIED, known.get());
        }
        ImapConnection.FolderOutcome outcome = c.imap().createFolder(name);
        Optional<FolderInfo> info = c.imap().folderInfo(name);
        if (info.isEmpty()) {
            return c.result(
                    Status.REJECTED,
                    outcome.done()
                            ? "the server created the folder under another name; the next sync shows it"
                            : SERVER_REFUSED + outcome.serverText());
        }
        String id = Tx.call(() -> c.mirror()
                .createFolderByDevice(
                        c.accountId(), c.token(), info.get(), c.job().deviceId()));
        return c.folder(outcome.done() ? Status.APPLIED : Status.ALREADY_APPLIED, id);
    }

    /**
     * RENAME of a folder: it keeps its id and messages (and so do its subfolders, renamed with it). INBOX is
     * not renamed: RFC 3501 §6.3.5 makes that a move of all its messages.
     */
    private static ChangeResult renameFolder(Change c, RenameFolder change) throws MailAccessException {
        String folderId = change.folderId();
        String newName = change.newName();
        Optional<String> name = Tx.call(() -> c.mirror().liveFolderName(c.accountId(), folderId));
        if (name.isEmpty()) {
            return c.result(Status.NOT_FOUND, "no such folder");
        }
        // the name is looked up only when no other rule answers already (same name, INBOX)
        boolean taken = change.answer(name.get(), false).isEmpty()
                && Tx.call(() -> c.mirror().liveFolderId(c.accountId(), newName))
                        .isPresent();
        Optional<DeviceChange.Answer> answer = change.answer(name.get(), taken);
        if (answer.isPresent()) {
            return answer.get().status() == Status.ALREADY_APPLIED
                    ? c.folder(Status.ALREADY_APPLIED, folderId)
                    : c.result(answer.get());
        }
        ImapConnection.FolderOutcome outcome = c.imap().renameFolder(name.get(), newName);
        Optional<FolderInfo> renamed = c.imap().folderInfo(newName);
        if (renamed.isEmpty()) {
            return c.result(Status.REJECTED, SERVER_REFUSED + outcome.serverText());
        }
        boolean oldStillThere = c.imap().folderInfo(name.get()).isPresent();
        if (!outcome.done() && oldStillThere) {
            return c.result(Status.REJECTED, SERVER_REFUSED + outcome.serverText());
        }
        Tx.call(() -> {
            c.mirror()
                    .renameFolder(
                            c.accountId(),
                            c.token(),
                            folderId,
                            newName,
                            renamed.get().delimiter(),
                            c.job().deviceId());
            return null;
        });
        return c.folder(outcome.done() ? Status.APPLIED : Status.ALREADY_APPLIED, folderId);
    }

    /**
     * DELETE of a folder, only when it is empty and has no subfolders: an IMAP DELETE destroys the
     * messages in it, and mailsync deletes no message a device did not name (send DELETE or MOVE for
     * them first, in the same job if you like: changes run in order).
     */
    private static ChangeResult deleteFolder(Change c, DeleteFolder change) throws MailAccessException {
        String folderId = change.folderId();
        Optional<String> name = Tx.call(() -> c.mirror().liveFolderName(c.accountId(), folderId));
        if (name.isEmpty()) {
            return c.result(Status.NOT_FOUND, "no such folder");
        }
        Optional<DeviceChange.Answer> refused = change.refused(name.get());
        if (refused.isPresent()) {
            return c.result(refused.get());
        }
        List<FolderInfo> server = c.imap().listFolders();
        Optional<FolderInfo> info =
                server.stream().filter(f -> f.name().equals(name.get())).findFirst();
        if (info.isEmpty()) {
            Tx.call(() -> {
                c.mirror()
                        .destroyFolderByDevice(
                                c.accountId(), c.token(), folderId, c.job().deviceId(), c.now());
                return null;
            });
            return c.result(Status.ALREADY_APPLIED, null);
        }
        refused = change.refused(
                name.get(),
                info.get().delimiter(),
                server.stream().map(FolderInfo::name).toList());
        if (refused.isEmpty() && info.get().selectable()) {
            refused = change.refusedNotEmpty(c.imap().status(name.get()).messages());
        }
        if (refused.isPresent()) {
            return c.result(refused.get());
        }
        ImapConnection.FolderOutcome outcome = c.imap().deleteFolder(name.get());
        if (!outcome.done()) {
            return c.result(Status.REJECTED, SERVER_REFUSED + outcome.serverText());
        }
        Tx.call(() -> {
            c.mirror()
                    .destroyFolderByDevice(
                            c.accountId(), c.token(), folderId, c.job().deviceId(), c.now());
            return null;
        });
        return c.result(Status.APPLIED, null);
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
        List<DeviceChange> changes = job.changes();
        for (int i = 0; i < changes.size(); i++) {
            DeviceChange change = changes.get(i);
            results.add(new ChangeResult(i, change.changeId(), change.kind().name(), Status.REJECTED, why));
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
}
