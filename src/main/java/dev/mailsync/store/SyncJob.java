package dev.mailsync.store;

import dev.mailsync.sync.JobStatus;
import java.time.Instant;

/** A sync job row. {@code changesJson} and {@code resultsJson} are the JSON arrays as stored. */
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
        Long stateSeq) {}
