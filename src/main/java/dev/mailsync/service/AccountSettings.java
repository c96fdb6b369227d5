package dev.mailsync.service;

import dev.mailsync.sync.ImapDeleteMode;
import dev.mailsync.sync.Pop3RetentionPolicy;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;

/**
 * The settings a user writes for an account, as given (nulls where omitted). The service checks them
 * and fills in defaults. {@code password} is only set when the user sends a new one.
 */
public record AccountSettings(
        String name,
        Protocol protocol,
        String host,
        Integer port,
        Security security,
        String username,
        String password,
        RetentionSettings pop3Retention,
        Boolean deleteOnServerWhenDeletedOnDevice,
        ImapDeleteMode imapDeleteMode) {

    /** POP3 retention as given. */
    public record RetentionSettings(Pop3RetentionPolicy policy, Integer days) {}

    public AccountSettings withPassword(String newPassword) {
        return new AccountSettings(
                name,
                protocol,
                host,
                port,
                security,
                username,
                newPassword,
                pop3Retention,
                deleteOnServerWhenDeletedOnDevice,
                imapDeleteMode);
    }
}
