package dev.mailsync.sync;

/** What a device's DELETE does on an IMAP server. */
public enum ImapDeleteMode {
    /** Move the message to the special-use \Trash folder (RFC 6154). */
    TRASH,
    /** Set \Deleted and UID EXPUNGE exactly that UID (RFC 4315), never a plain EXPUNGE. */
    EXPUNGE
}
