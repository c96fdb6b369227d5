package dev.mailsync.sync;

import java.util.List;

/**
 * One change a device made locally and pushes with a sync job, one record per kind. Made only by
 * {@link DeviceChangeRules#parse}, which checks every field, so a record in hand is valid; the job engine
 * dispatches on the sealed type, so the compiler names every place a new kind must be handled.
 *
 * <p>Adding a kind touches four files: its record (and {@link Kind}) here; its fields and rule in
 * {@link DeviceChangeRules}; its execution, {@code jobs.DeviceChanges} for IMAP (a kind that is not
 * {@link ImapOnly} is also executed by {@code jobs.Pop3Sync}); and the contract, {@code openapi.yaml}. The
 * stored form ({@code store.StoredChanges}) and the API's request follow the record's components by
 * themselves.
 */
public sealed interface DeviceChange {

    /** The client's id of the change, echoed in its result; may be null. */
    String changeId();

    Kind kind();

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
    }

    /** Deletes one message (IMAP: by the account's delete mode; POP3: from the device's view). */
    record Delete(String changeId, String messageId) implements OfMessage {
        @Override
        public Kind kind() {
            return Kind.DELETE;
        }
    }

    /** Moves one message to another folder. */
    record Move(String changeId, String messageId, String toFolderId) implements OfMessage, ImapOnly {
        @Override
        public Kind kind() {
            return Kind.MOVE;
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
    }

    /** Deletes an empty folder. */
    record DeleteFolder(String changeId, String folderId) implements ImapOnly {
        @Override
        public Kind kind() {
            return Kind.DELETE_FOLDER;
        }
    }
}
