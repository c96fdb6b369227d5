package dev.mailsync.sync;

/**
 * What SELECT/EXAMINE or STATUS says of a folder. UIDVALIDITY and UIDNEXT are unsigned 32-bit
 * numbers (RFC 3501 §2.3.1.1), kept as long; {@code highestModSeq} is null without CONDSTORE (RFC
 * 7162).
 */
public record FolderStatus(long uidValidity, long uidNext, long messages, Long highestModSeq) {}
