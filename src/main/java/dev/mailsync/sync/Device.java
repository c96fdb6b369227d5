package dev.mailsync.sync;

import java.time.Instant;

/** A device of an account, as the rest of the service sees it. */
public record Device(
        String id,
        String accountId,
        String name,
        Platform platform,
        DeviceView view,
        Integer syncIntervalSeconds,
        Instant createdAt,
        Instant updatedAt) {}
