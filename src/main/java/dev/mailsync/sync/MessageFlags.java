package dev.mailsync.sync;

import java.util.Set;

/** The flags of one message by UID: system flags with their backslash ({@code \Seen}) and keywords. */
public record MessageFlags(long uid, Set<String> flags) {
    public MessageFlags {
        flags = Set.copyOf(flags);
    }
}
