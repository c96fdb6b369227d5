package dev.mailsync.sync;

/**
 * The outcome of one device change of a sync job. {@code reason} explains REJECTED and NOT_FOUND.
 * {@code messageId} names the message a change produced (APPEND; MOVE, whose message gets a new
 * identity) and {@code folderId} the folder (CREATE_FOLDER, RENAME_FOLDER), so the device can map its
 * local item to the server's id. An appended message or a created or renamed folder does not come back
 * to its author as news; a moved message does (old id destroyed, new id created, for every device).
 */
public record ChangeResult(
        int index, String changeId, String type, Status status, String reason, String messageId, String folderId) {
    public enum Status {
        APPLIED,
        ALREADY_APPLIED,
        NOT_FOUND,
        REJECTED
    }

    public ChangeResult(int index, String changeId, String type, Status status, String reason) {
        this(index, changeId, type, status, reason, null, null);
    }
}
