package dev.mailsync.sync;

/**
 * A folder as the server lists it (IMAP LIST, RFC 3501 §7.2.2 / RFC 9051 §7.3.1, special-use RFC
 * 6154). {@code specialUse} is one of {@code \Sent \Drafts \Trash \Junk \Archive \All \Flagged} or null;
 * {@code delimiter} may be null for a flat namespace.
 */
public record FolderInfo(String name, String delimiter, String specialUse, boolean selectable) {}
