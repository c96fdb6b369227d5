package dev.mailsync.sync;

/** What happens on a POP3 server to a message after mailsync has downloaded it. */
public enum Pop3RetentionPolicy {
    /** Leave a copy on the server forever. */
    KEEP,
    /** Delete it a number of days after the first download. */
    DELETE_AFTER_DAYS,
    /** Classic download-and-delete: delete once any device has it (the stored copy serves the others). */
    DELETE_AFTER_FIRST_DEVICE,
    /** Delete only once every active device has acknowledged it. */
    DELETE_AFTER_ALL_DEVICES;

    /** Whether this policy ever deletes mail from the server. */
    public boolean deletes() {
        return this != KEEP;
    }
}
