package dev.mailsync.store;

import dev.mailsync.sync.Account;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.ImapDeleteMode;
import dev.mailsync.sync.Page;
import dev.mailsync.sync.Pop3Retention;
import dev.mailsync.sync.Pop3RetentionPolicy;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.QuotaUsage;
import dev.mailsync.sync.Security;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** Accounts in PostgreSQL. Every read is scoped to an owner; the password is sealed on the way in. */
@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<AccountEntity, String> {

    private final CredentialCipher cipher;

    @Inject
    public AccountRepository(CredentialCipher cipher) {
        this.cipher = cipher;
    }

    public Account insert(Account account, String password) {
        AccountEntity e = new AccountEntity();
        e.id = account.id();
        e.owner = account.owner();
        e.createdAt = account.createdAt();
        copySettings(account, e);
        seal(e, password);
        persist(e);
        return toAccount(e);
    }

    public Optional<Account> findOwned(String owner, String id) {
        return find("id = ?1 and owner = ?2", id, owner).firstResultOptional().map(AccountRepository::toAccount);
    }

    /** An account by id, whoever owns it: for the sync engine, never for API reads. */
    public Optional<Account> byId(String id) {
        return Optional.ofNullable(findById(id)).map(AccountRepository::toAccount);
    }

    public Page<Account> page(String owner, String cursor, int limit) {
        return Keyset.page(
                this,
                "owner = :owner",
                Parameters.with("owner", owner),
                cursor,
                limit,
                e -> e.createdAt,
                e -> e.id,
                AccountRepository::toAccount);
    }

    /** Whether the owner already has another account for this mailbox. */
    public boolean mailboxTaken(Account candidate) {
        return count(
                        "owner = ?1 and protocol = ?2 and lower(host) = lower(?3) and port = ?4 and username = ?5 and id <> ?6",
                        candidate.owner(),
                        candidate.protocol().name(),
                        candidate.host(),
                        candidate.port(),
                        candidate.username(),
                        candidate.id())
                > 0;
    }

    /** Writes the settings of {@code account}; a non-null password replaces the stored one. */
    public Account update(Account account, String newPassword) {
        AccountEntity e = findById(account.id());
        copySettings(account, e);
        if (newPassword != null) {
            seal(e, newPassword);
        }
        e.lastErrorCode =
                account.lastError() == null ? null : account.lastError().code().name();
        e.lastErrorDetail =
                account.lastError() == null ? null : account.lastError().detail();
        e.lastErrorAt = account.lastError() == null ? null : account.lastError().at();
        return toAccount(e);
    }

    public boolean deleteOwned(String owner, String id) {
        return delete("id = ?1 and owner = ?2", id, owner) > 0;
    }

    /** Decrypts the account's mail password. Call only right before talking to the mail server. */
    public String password(String accountId) {
        AccountEntity e = findById(accountId);
        return cipher.decrypt(accountId, new CredentialCipher.Sealed(e.passwordKeyId, e.passwordCiphertext));
    }

    public void recordError(String accountId, Account.LastError error) {
        AccountEntity e = findById(accountId);
        if (e == null) {
            return;
        }
        if (error == null) {
            e.lastErrorCode = null;
            e.lastErrorDetail = null;
            e.lastErrorAt = null;
        } else {
            e.lastErrorCode = error.code().name();
            e.lastErrorDetail = error.detail();
            e.lastErrorAt = error.at();
        }
    }

    /** A sync finished: the account's last sync time, and no error any more. */
    public void recordSync(String accountId, java.time.Instant at) {
        AccountEntity e = findById(accountId);
        if (e != null) {
            e.lastSyncAt = at;
            e.lastErrorCode = null;
            e.lastErrorDetail = null;
            e.lastErrorAt = null;
        }
    }

    /** What the server said of the mailbox's storage at the last sync (null: no quota reported). */
    public void recordQuota(String accountId, QuotaUsage quota, java.time.Instant at) {
        AccountEntity e = findById(accountId);
        if (e != null) {
            e.quotaUsedKb = quota == null ? null : quota.usedKilobytes();
            e.quotaLimitKb = quota == null ? null : quota.limitKilobytes();
            e.quotaAt = at;
        }
    }

    public long countOwners() {
        return getEntityManager()
                .createQuery("select count(distinct a.owner) from AccountEntity a", Long.class)
                .getSingleResult();
    }

    private void seal(AccountEntity e, String password) {
        CredentialCipher.Sealed sealed = cipher.encrypt(e.id, password);
        e.passwordKeyId = sealed.keyId();
        e.passwordCiphertext = sealed.ciphertext();
    }

    private static void copySettings(Account a, AccountEntity e) {
        e.name = a.name();
        e.protocol = a.protocol().name();
        e.host = a.host();
        e.port = a.port();
        e.security = a.security().name();
        e.username = a.username();
        e.pop3RetentionPolicy =
                a.pop3Retention() == null ? null : a.pop3Retention().policy().name();
        e.pop3RetentionDays =
                a.pop3Retention() == null ? null : a.pop3Retention().days();
        e.deleteOnServerWhenDeletedOnDevice = a.deleteOnServerWhenDeletedOnDevice();
        e.imapDeleteMode =
                a.imapDeleteMode() == null ? null : a.imapDeleteMode().name();
        e.updatedAt = a.updatedAt();
    }

    static Account toAccount(AccountEntity e) {
        return new Account(
                e.id,
                e.owner,
                e.name,
                Protocol.valueOf(e.protocol),
                e.host,
                e.port,
                Security.valueOf(e.security),
                e.username,
                e.pop3RetentionPolicy == null
                        ? null
                        : new Pop3Retention(Pop3RetentionPolicy.valueOf(e.pop3RetentionPolicy), e.pop3RetentionDays),
                e.deleteOnServerWhenDeletedOnDevice,
                e.imapDeleteMode == null ? null : ImapDeleteMode.valueOf(e.imapDeleteMode),
                e.lastErrorCode == null
                        ? null
                        : new Account.LastError(FailureCode.valueOf(e.lastErrorCode), e.lastErrorDetail, e.lastErrorAt),
                e.lastSyncAt,
                e.createdAt,
                e.updatedAt,
                e.quotaLimitKb == null ? null : new QuotaUsage(e.quotaUsedKb, e.quotaLimitKb));
    }
}
