package dev.mailsync.store;

import dev.mailsync.sync.DeviceChange;
import dev.mailsync.sync.JobStatus;
import java.time.Instant;
import java.util.List;

/**
 * A sync job row. {@code changesJson} and {@code resultsJson} are the JSON arrays as stored; {@link
 * #changes()} reads the first.
 */
public record SyncJob(
        String id,
        String accountId,
        String deviceId,
        JobStatus status,
        String trigger,
        String changesJson,
        String resultsJson,
        int attempts,
        int maxAttempts,
        Instant runAfter,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String errorCode,
        String errorDetail,
        boolean cancelRequested,
        Long leaseToken,
        Long stateSeq) {

    /** The device's changes, typed and checked ({@link StoredChanges}). */
    public List<DeviceChange> changes() {
        return StoredChanges.decode(changesJson);
    }
}
