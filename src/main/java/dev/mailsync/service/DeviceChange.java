package dev.mailsync.service;

import java.util.List;

/**
 * One change a device pushes with a sync job, as sent (flat: which fields apply depends on the type).
 * {@link SyncJobService} checks that each type has exactly what it needs.
 */
public record DeviceChange(
        String type,
        String changeId,
        String messageId,
        String folderId,
        String toFolderId,
        String name,
        String newName,
        List<String> add,
        List<String> remove,
        List<String> flags,
        String rfc822) {

    /** The change types of the IMAP and POP3 rules. */
    public enum Type {
        SET_FLAGS,
        DELETE,
        MOVE,
        APPEND,
        CREATE_FOLDER,
        RENAME_FOLDER,
        DELETE_FOLDER
    }
}
