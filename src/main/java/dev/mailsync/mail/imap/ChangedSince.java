package dev.mailsync.mail.imap;

import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.MessageFlags;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ImapConnection#changedSince} found in a folder.
 *
 * @param status the folder as its EXAMINE reported it, before the other commands: {@code highestModSeq} is
 *     the value to pass next time
 * @param changed the UID and current flags of each already-known message (UID below the caller's {@code
 *     knownUidNext}) whose flags changed after the given mod-sequence, sorted by UID
 * @param allUids the UIDs of every message in the folder, sorted; those at or above {@code knownUidNext} are
 *     new, known ones that are missing were expunged. It may hold UIDs at or above {@code status.uidNext()}
 *     when messages arrived while the commands ran.
 */
public record ChangedSince(FolderStatus status, List<MessageFlags> changed, List<Long> allUids) {
    public ChangedSince {
        Objects.requireNonNull(status, "status");
        changed = List.copyOf(changed);
        allUids = List.copyOf(allUids);
    }
}
