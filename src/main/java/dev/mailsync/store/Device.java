package dev.mailsync.store;

import dev.mailsync.sync.DeviceView;
import dev.mailsync.sync.Platform;
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
