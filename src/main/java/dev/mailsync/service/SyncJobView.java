package dev.mailsync.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.store.SyncJob;
import dev.mailsync.sync.ChangeResult;
import dev.mailsync.sync.JobStatus;
import java.time.Instant;
import java.util.List;

/**
 * A sync job as its caller sees it: where it stands, what each of the device's changes did, and why it
 * failed. {@code nextAttemptAt} is set only while a failed attempt waits for its retry; {@code results} is
 * null until the changes were tried; {@code stateSeq} is the account change the device can read up to.
 */
public record SyncJobView(
        String id,
        String accountId,
        String deviceId,
        JobStatus status,
        String trigger,
        int attempts,
        int maxAttempts,
        boolean cancelRequested,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant nextAttemptAt,
        int changeCount,
        List<ChangeResult> results,
        Long stateSeq,
        String errorCode,
        String errorDetail) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static SyncJobView of(SyncJob j) {
        return new SyncJobView(
                j.id(),
                j.accountId(),
                j.deviceId(),
                j.status(),
                j.trigger(),
                j.attempts(),
                j.maxAttempts(),
                j.cancelRequested(),
                j.createdAt(),
                j.startedAt(),
                j.finishedAt(),
                j.status() == JobStatus.QUEUED && j.attempts() > 0 ? j.runAfter() : null,
                read(j.changesJson(), new TypeReference<List<Object>>() {}).size(),
                j.resultsJson() == null ? null : read(j.resultsJson(), new TypeReference<List<ChangeResult>>() {}),
                j.stateSeq(),
                j.errorCode(),
                j.errorDetail());
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON of a sync job does not parse", e);
        }
    }
}
