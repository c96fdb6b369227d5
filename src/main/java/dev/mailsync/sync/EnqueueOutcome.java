package dev.mailsync.sync;

/** What a request for a sync job did: created a job, joined the device's queued one, or replayed an Idempotency-Key. */
public enum EnqueueOutcome {
    CREATED,
    JOINED,
    REPLAYED
}
