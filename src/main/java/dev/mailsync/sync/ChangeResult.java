package dev.mailsync.sync;

/**
 * The outcome of one device change of a sync job. {@code reason} explains REJECTED and NOT_FOUND.
 * {@code messageId} names the message a change produced (APPEND; MOVE, whose message gets a new
 * identity) and {@code folderId} the folder (CREATE_FOLDER, RENAME_FOLDER), so the device can map its
 * local item to the server's id: it does not get its own change back as news.
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
