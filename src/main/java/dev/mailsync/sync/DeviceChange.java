package dev.mailsync.sync;

import dev.mailsync.sync.ChangeResult.Status;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One change a device made locally and pushes with a sync job, one record per kind. Made only by
 * {@link DeviceChangeRules#parse}, which checks every field, so a record in hand is valid; the job engine
 * dispatches on the sealed type, so the compiler names every place a new kind must be handled.
 *
 * <p>Each record also carries its write-back rules (docs/rules.md, "Device changes"): what is answered
 * without asking the server (already applied, refused) and what is done (where a deleted message goes, who
 * authored a merged flag change); the job engine reads the mirror and the server and does what they say.
 *
 * <p>Adding a kind touches four files: its record (and {@link Kind}, and its write-back rules) here; its
 * fields and rule in {@link DeviceChangeRules}; its execution, {@code jobs.DeviceChanges} for IMAP (a kind
 * that is not {@link ImapOnly} is also executed by {@code jobs.Pop3Sync}); and the contract, {@code
 * openapi.yaml}. The stored form ({@code store.StoredChanges}) and the API's request follow the record's
 * components by themselves.
 */
public sealed interface DeviceChange {

    /** The client's id of the change, echoed in its result; may be null. */
    String changeId();

    Kind kind();

    /** An answer to a change that needs nothing (more) from the server. */
    record Answer(Status status, String reason) {
        public static final Answer ALREADY_APPLIED = new Answer(Status.ALREADY_APPLIED, null);

        public static Answer rejected(String reason) {
            return new Answer(Status.REJECTED, reason);
        }
    }

    /** The one folder that is never renamed nor deleted. */
    String INBOX = "INBOX";

    /** The kinds, as the contract names them ({@code type}). */
    enum Kind {
        SET_FLAGS,
        DELETE,
        MOVE,
        APPEND,
        CREATE_FOLDER,
        RENAME_FOLDER,
        DELETE_FOLDER
    }

    /** A change that names one message of the mirror. */
    sealed interface OfMessage extends DeviceChange {
        String messageId();
    }

    /** A change only IMAP has (folders, a server that keeps messages): POP3 answers it NOT_SUPPORTED. */
    sealed interface ImapOnly extends DeviceChange {}

    /** Adds and removes flags of one message (at least one of the two lists is not empty). */
    record SetFlags(String changeId, String messageId, List<String> add, List<String> remove) implements OfMessage {
        public SetFlags {
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }

        @Override
        public Kind kind() {
            return Kind.SET_FLAGS;
        }

        /** Nothing to store when the message has every flag to add and none to remove. */
        public Optional<Answer> alreadyApplied(Set<String> current) {
            return current.containsAll(add) && remove.stream().noneMatch(current::contains)
                    ? Optional.of(Answer.ALREADY_APPLIED)
                    : Optional.empty();
        }

        /**
         * Whether the device authored the flags the server ended with: they are its view plus its change.
         * When the server merged in flags changed elsewhere, the device must get the result as {@code
         * updated} too.
         */
        public boolean authored(Set<String> current, Set<String> onServer) {
            Set<String> expected = new HashSet<>(current);
            expected.addAll(add);
            expected.removeAll(remove);
            return expected.equals(onServer);
        }
    }

    /** Deletes one message (IMAP: by the account's delete mode; POP3: from the device's view). */
    record Delete(String changeId, String messageId) implements OfMessage {
        public static final String NEEDS_UIDPLUS =
                "the server has no UIDPLUS: deleting one message would need a plain EXPUNGE, which mailsync never sends";
        public static final String NO_TRASH =
                "the server has no special-use \\Trash folder; set imapDeleteMode EXPUNGE to delete for good";

        @Override
        public Kind kind() {
            return Kind.DELETE;
        }

        /** In TRASH mode the server needs a special-use Trash folder. */
        public Optional<Answer> refused(ImapDeleteMode mode, Optional<String> trash) {
            return mode == ImapDeleteMode.TRASH && trash.isEmpty()
                    ? Optional.of(Answer.rejected(NO_TRASH))
                    : Optional.empty();
        }

        /**
         * The folder the message is moved to, or empty to expunge it where it is (EXPUNGE mode, or a message
         * already in Trash). Ask {@link #refused} first.
         */
        public Optional<String> movesTo(ImapDeleteMode mode, Optional<String> trash, String folder) {
            if (mode == ImapDeleteMode.EXPUNGE || trash.isEmpty() || trash.get().equals(folder)) {
                return Optional.empty();
            }
            return trash;
        }
    }

    /** Moves one message to another folder. */
    record Move(String changeId, String messageId, String toFolderId) implements OfMessage, ImapOnly {
        public static final String NEEDS_MOVE_OR_UIDPLUS =
                "the server has neither MOVE nor UIDPLUS: a move would need a plain EXPUNGE, which mailsync never sends";

        @Override
        public Kind kind() {
            return Kind.MOVE;
        }

        /** A move into the folder the message is in is already done. */
        public Optional<Answer> alreadyApplied(String fromFolderId) {
            return fromFolderId.equals(toFolderId) ? Optional.of(Answer.ALREADY_APPLIED) : Optional.empty();
        }
    }

    /** Adds a message the device made (base64 of its RFC 5322 bytes) to a folder, with flags. */
    record Append(String changeId, String folderId, List<String> flags, String rfc822) implements ImapOnly {
        public Append {
            flags = List.copyOf(flags);
        }

        @Override
        public Kind kind() {
            return Kind.APPEND;
        }
    }

    /** Creates a folder by its full name. */
    record CreateFolder(String changeId, String name) implements ImapOnly {
        @Override
        public Kind kind() {
            return Kind.CREATE_FOLDER;
        }
    }

    /** Renames a folder (its subfolders follow). */
    record RenameFolder(String changeId, String folderId, String newName) implements ImapOnly {
        @Override
        public Kind kind() {
            return Kind.RENAME_FOLDER;
        }

        /**
         * The same name is already done; INBOX is not renamed (RFC 3501 §6.3.5 makes that a move of all its
         * messages); a name another folder has is refused.
         */
        public Optional<Answer> answer(String name, boolean newNameTaken) {
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
    }

    /** Deletes an empty folder. */
    record DeleteFolder(String changeId, String folderId) implements ImapOnly {
        @Override
        public Kind kind() {
            return Kind.DELETE_FOLDER;
        }

        /** Before the server is asked: INBOX is never deleted. */
        public Optional<Answer> refused(String name) {
            return INBOX.equalsIgnoreCase(name)
                    ? Optional.of(Answer.rejected("INBOX cannot be deleted"))
                    : Optional.empty();
        }

        /**
         * With what the server lists: a folder with subfolders is refused (delete them first).
         *
         * @param serverFolders the names of every folder on the server
         */
        public Optional<Answer> refused(String name, String delimiter, Collection<String> serverFolders) {
            return delimiter != null && serverFolders.stream().anyMatch(f -> f.startsWith(name + delimiter))
                    ? Optional.of(Answer.rejected("the folder has subfolders: delete them first"))
                    : Optional.empty();
        }

        /**
         * With the folder's message count: only an empty folder is deleted (an IMAP DELETE destroys the
         * messages in it, and mailsync deletes no message a device did not name).
         */
        public Optional<Answer> refusedNotEmpty(long messages) {
            return messages > 0
                    ? Optional.of(
                            Answer.rejected(
                                    "the folder is not empty (" + messages
                                            + " messages): delete or move them first; mailsync deletes no message a device did not name"))
                    : Optional.empty();
        }
    }
}
