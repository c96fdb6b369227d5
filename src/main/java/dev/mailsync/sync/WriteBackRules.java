package dev.mailsync.sync;

import dev.mailsync.sync.ChangeResult.Status;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of writing a device's change back to the IMAP server (docs/rules.md, "Device changes"): what is
 * answered without asking the server, where a deleted message goes, who authored a merged flag change.
 * Pure: the sync job reads the mirror and the server, and does what these rules say.
 */
public final class WriteBackRules {
    private WriteBackRules() {}

    /** An answer to a change that needs nothing (more) from the server. */
    public record Answer(Status status, String reason) {
        static final Answer ALREADY_APPLIED = new Answer(Status.ALREADY_APPLIED, null);

        static Answer rejected(String reason) {
            return new Answer(Status.REJECTED, reason);
        }
    }

    public static final String INBOX = "INBOX";
    public static final String NO_TRASH =
            "the server has no special-use \\Trash folder; set imapDeleteMode EXPUNGE to delete for good";
    public static final String DELETE_NEEDS_UIDPLUS =
            "the server has no UIDPLUS: deleting one message would need a plain EXPUNGE, which mailsync never sends";
    public static final String MOVE_NEEDS_MOVE_OR_UIDPLUS =
            "the server has neither MOVE nor UIDPLUS: a move would need a plain EXPUNGE, which mailsync never sends";

    /** SET_FLAGS: nothing to store when the message has every flag to add and none to remove. */
    public static Optional<Answer> setFlags(Set<String> current, Collection<String> add, Collection<String> remove) {
        return current.containsAll(add) && remove.stream().noneMatch(current::contains)
                ? Optional.of(Answer.ALREADY_APPLIED)
                : Optional.empty();
    }

    /**
     * Whether the device authored the flags the server ended with: they are its view plus its change. When
     * the server merged in flags changed elsewhere, the device must get the result as {@code updated} too.
     */
    public static boolean authoredFlags(
            Set<String> current, Collection<String> add, Collection<String> remove, Set<String> onServer) {
        Set<String> expected = new HashSet<>(current);
        expected.addAll(add);
        expected.removeAll(remove);
        return expected.equals(onServer);
    }

    /**
     * DELETE: the folder the message is moved to, or empty to expunge it where it is (EXPUNGE mode, or a
     * message already in Trash). Ask {@link #deleteRefused} first.
     */
    public static Optional<String> deleteMovesTo(ImapDeleteMode mode, Optional<String> trash, String folder) {
        if (mode == ImapDeleteMode.EXPUNGE || trash.isEmpty() || trash.get().equals(folder)) {
            return Optional.empty();
        }
        return trash;
    }

    /** DELETE in TRASH mode needs a special-use Trash folder. */
    public static Optional<Answer> deleteRefused(ImapDeleteMode mode, Optional<String> trash) {
        return mode == ImapDeleteMode.TRASH && trash.isEmpty()
                ? Optional.of(Answer.rejected(NO_TRASH))
                : Optional.empty();
    }

    /** MOVE into the folder the message is in is already done. */
    public static Optional<Answer> move(String fromFolderId, String toFolderId) {
        return fromFolderId.equals(toFolderId) ? Optional.of(Answer.ALREADY_APPLIED) : Optional.empty();
    }

    /**
     * RENAME_FOLDER: the same name is already done; INBOX is not renamed (RFC 3501 §6.3.5 makes that a move
     * of all its messages); a name another folder has is refused.
     */
    public static Optional<Answer> renameFolder(String name, String newName, boolean newNameTaken) {
        if (name.equals(newName)) {
            return Optional.of(Answer.ALREADY_APPLIED);
        }
        if (INBOX.equalsIgnoreCase(name)) {
            return Optional.of(Answer.rejected("INBOX cannot be renamed"));
        }
        if (newNameTaken) {
            return Optional.of(Answer.rejected("a folder named " + newName + " exists already"));
        }
        return Optional.empty();
    }

    /** DELETE_FOLDER, before the server is asked: INBOX is never deleted. */
    public static Optional<Answer> deleteFolder(String name) {
        return INBOX.equalsIgnoreCase(name)
                ? Optional.of(Answer.rejected("INBOX cannot be deleted"))
                : Optional.empty();
    }

    /**
     * DELETE_FOLDER, with what the server lists: a folder with subfolders is refused (delete them first).
     *
     * @param serverFolders the names of every folder on the server
     */
    public static Optional<Answer> deleteFolder(String name, String delimiter, List<String> serverFolders) {
        return delimiter != null && serverFolders.stream().anyMatch(f -> f.startsWith(name + delimiter))
                ? Optional.of(Answer.rejected("the folder has subfolders: delete them first"))
                : Optional.empty();
    }

    /**
     * DELETE_FOLDER, with the folder's message count: only an empty folder is deleted (an IMAP DELETE
     * destroys the messages in it, and mailsync deletes no message a device did not name).
     */
    public static Optional<Answer> deleteFolder(long messages) {
        return messages > 0
                ? Optional.of(Answer.rejected("the folder is not empty (" + messages
                        + " messages): delete or move them first; mailsync deletes no message a device did not name"))
                : Optional.empty();
    }
}
