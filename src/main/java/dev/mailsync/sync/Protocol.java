package dev.mailsync.sync;

/** The mail access protocol of an account; it decides which rule set a sync applies. */
public enum Protocol {
    IMAP,
    POP3
}
