package dev.mailsync.api;

import dev.mailsync.service.AccountSettings;
import dev.mailsync.service.AccountView;
import dev.mailsync.sync.Account;
import dev.mailsync.sync.AccountWarnings;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.ImapDeleteMode;
import dev.mailsync.sync.Pop3RetentionPolicy;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import java.time.Instant;
import java.util.List;

/** JSON shapes of the account endpoints (schemas AccountCreate, AccountPatch, Account in openapi.yaml). */
final class AccountDtos {
    private AccountDtos() {}

    /** Request body of create, and the document a merge patch is applied to. */
    record AccountInput(
            String name,
            Protocol protocol,
            String host,
            Integer port,
            Security security,
            String username,
            String password,
            RetentionDto pop3Retention,
            Boolean deleteOnServerWhenDeletedOnDevice,
            ImapDeleteMode imapDeleteMode) {

        AccountSettings toSettings() {
            return new AccountSettings(
                    name,
                    protocol,
                    host,
                    port,
                    security,
                    username,
                    password,
                    pop3Retention == null
                            ? null
                            : new AccountSettings.RetentionSettings(pop3Retention.policy(), pop3Retention.days()),
                    deleteOnServerWhenDeletedOnDevice,
                    imapDeleteMode);
        }

        static AccountInput of(AccountSettings s) {
            return new AccountInput(
                    s.name(),
                    s.protocol(),
                    s.host(),
                    s.port(),
                    s.security(),
                    s.username(),
                    s.password(),
                    s.pop3Retention() == null
                            ? null
                            : new RetentionDto(
                                    s.pop3Retention().policy(),
                                    s.pop3Retention().days()),
                    s.deleteOnServerWhenDeletedOnDevice(),
                    s.imapDeleteMode());
        }
    }

    record RetentionDto(Pop3RetentionPolicy policy, Integer days) {}

    record WarningDto(String code, String message) {}

    record ErrorDto(FailureCode code, String detail, Instant at) {}

    record QuotaDto(long usedKilobytes, long limitKilobytes, double percent) {}

    record AccountResponse(
            String id,
            String name,
            Protocol protocol,
            String host,
            int port,
            Security security,
            String username,
            RetentionDto pop3Retention,
            Boolean deleteOnServerWhenDeletedOnDevice,
            ImapDeleteMode imapDeleteMode,
            long deviceCount,
            List<WarningDto> warnings,
            ErrorDto lastError,
            Instant lastSyncAt,
            QuotaDto quota,
            Pop3StatusDto pop3,
            Instant createdAt,
            Instant updatedAt) {

        static AccountResponse of(AccountView view) {
            Account a = view.account();
            return new AccountResponse(
                    a.id(),
                    a.name(),
                    a.protocol(),
                    a.host(),
                    a.port(),
                    a.security(),
                    a.username(),
                    a.pop3Retention() == null
                            ? null
                            : new RetentionDto(
                                    a.pop3Retention().policy(),
                                    a.pop3Retention().days()),
                    a.protocol() == Protocol.POP3 ? a.deleteOnServerWhenDeletedOnDevice() : null,
                    a.imapDeleteMode(),
                    view.deviceCount(),
                    view.warnings().stream().map(AccountDtos::warning).toList(),
                    a.lastError() == null
                            ? null
                            : new ErrorDto(
                                    a.lastError().code(),
                                    a.lastError().detail(),
                                    a.lastError().at()),
                    a.lastSyncAt(),
                    a.quota() == null
                            ? null
                            : new QuotaDto(
                                    a.quota().usedKilobytes(),
                                    a.quota().limitKilobytes(),
                                    a.quota().percent()),
                    Pop3StatusDto.of(view.pop3()),
                    a.createdAt(),
                    a.updatedAt());
        }
    }

    record MaildropDto(int count, long sizeBytes, Instant checkedAt) {}

    record DeviceBacklogDto(String deviceId, long awaitingAcknowledgement, boolean stale) {}

    record NextDeletionDto(String uidl, String policy, Instant dueAt, List<String> waitingFor) {}

    /** A POP3 account's maildrop, per-device backlog and next deletions (schema Pop3Status). */
    record Pop3StatusDto(
            MaildropDto maildrop,
            long storedMessages,
            List<DeviceBacklogDto> devices,
            List<NextDeletionDto> nextDeletions,
            int nextDeletionsTotal) {

        static Pop3StatusDto of(dev.mailsync.sync.Pop3Status s) {
            if (s == null) {
                return null;
            }
            return new Pop3StatusDto(
                    s.maildrop() == null
                            ? null
                            : new MaildropDto(
                                    s.maildrop().count(),
                                    s.maildrop().sizeBytes(),
                                    s.maildrop().checkedAt()),
                    s.storedMessages(),
                    s.devices().stream()
                            .map(d -> new DeviceBacklogDto(d.deviceId(), d.awaitingAcknowledgement(), d.stale()))
                            .toList(),
                    s.nextDeletions().stream()
                            .map(u -> new NextDeletionDto(
                                    u.uidl(),
                                    u.reason().name(),
                                    u.dueAt(),
                                    u.waitingFor().isEmpty() ? null : u.waitingFor()))
                            .toList(),
                    s.nextDeletionsTotal());
        }
    }

    private static WarningDto warning(AccountWarnings.Warning w) {
        return new WarningDto(w.code(), w.message());
    }

    record VerifyResponse(Protocol protocol, List<String> capabilities, Instant verifiedAt) {}
}
