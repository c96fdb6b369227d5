package dev.mailsync.sync;

import java.util.List;

/**
 * What one folder's refresh must change in the mirror. {@code reset}: UIDVALIDITY changed (RFC 3501
 * §2.3.1.1), every message of the folder is destroyed and all the server's messages are new.
 */
public record FolderScanPlan(
        boolean reset,
        List<String> destroyMessageIds,
        List<FlagChange> flagChanges,
        List<Long> uidsToFetch,
        FolderStatus newStatus) {

    /** A message whose flags differ from the server's. */
    public record FlagChange(String messageId, long uid, java.util.Set<String> flags) {}

    public boolean changesNothing() {
        return !reset && destroyMessageIds.isEmpty() && flagChanges.isEmpty() && uidsToFetch.isEmpty();
    }
}
