package dev.mailsync.sync;

/** One address of a message header: display name (may be null) and address. */
public record MailAddress(String name, String email) {}
