package dev.mailsync.store;

import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.ImapDeleteMode;
import dev.mailsync.sync.Pop3Retention;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.QuotaUsage;
import dev.mailsync.sync.Security;
import java.time.Instant;

/**
 * An account as the rest of the service sees it: every setting but the password, which is only
 * decrypted on demand ({@link AccountRepository#password}).
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
