package dev.mailsync.sync;

/** The kind of device a mailbox view belongs to. */
public enum Platform {
    MOBILE,
    DESKTOP,
    WEB
}
