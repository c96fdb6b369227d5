package dev.mailsync.sync;

import java.time.Instant;

/**
 * An account as the rest of the service sees it: every setting but the password, which is only
 * decrypted on demand ({@code AccountRepository.password}).
 */
public record Account(
        String id,
        String owner,
        String name,
        Protocol protocol,
        String host,
        int port,
        Security security,
        String username,
        Pop3Retention pop3Retention,
        boolean deleteOnServerWhenDeletedOnDevice,
        ImapDeleteMode imapDeleteMode,
        LastError lastError,
        Instant lastSyncAt,
        Instant createdAt,
        Instant updatedAt,
        QuotaUsage quota) {

    /** The last failure talking to the mail server, until a success or a settings change clears it. */
    public record LastError(FailureCode code, String detail, Instant at) {}
}
