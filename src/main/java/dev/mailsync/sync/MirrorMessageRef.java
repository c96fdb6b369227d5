package dev.mailsync.sync;

import java.util.Set;

/** A live message of the mirror as the planner needs it: its id, UID and flags. */
public record MirrorMessageRef(String id, long uid, Set<String> flags) {
    public MirrorMessageRef {
        flags = Set.copyOf(flags);
    }
}
