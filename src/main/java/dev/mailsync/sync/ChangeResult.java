package dev.mailsync.sync;

/** The outcome of one device change of a sync job. {@code reason} explains REJECTED and NOT_FOUND. */
public record ChangeResult(int index, String changeId, String type, Status status, String reason) {
    public enum Status {
        APPLIED,
        ALREADY_APPLIED,
        NOT_FOUND,
        REJECTED
    }
}
