package dev.mailsync.service;

import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailVerifier;
import dev.mailsync.mail.OutboundGuard;
import dev.mailsync.mail.VerifyOutcome;
import dev.mailsync.store.AccountRepository;
import dev.mailsync.store.DeviceRepository;
import dev.mailsync.store.Ids;
import dev.mailsync.store.JobStore;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.Account;
import dev.mailsync.sync.AccountWarnings;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.ImapDeleteMode;
import dev.mailsync.sync.Page;
import dev.mailsync.sync.Pop3Retention;
import dev.mailsync.sync.Pop3RetentionPolicy;
import dev.mailsync.sync.Pop3Status;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/** Accounts of one owner: the rules for their settings, and the verify call to the mail server. */
@ApplicationScoped
public class AccountService {
    private static final Logger LOG = Logger.getLogger(AccountService.class);

    private final AccountRepository accounts;
    private final DeviceRepository devices;
    private final OutboundGuard outboundGuard;
    private final MailVerifier verifier;
    private final MailsyncConfig config;
    private final Clock clock;
    private final JobStore jobs;

    private final dev.mailsync.store.Pop3Store pop3Store;

    @Inject
    public AccountService(
            AccountRepository accounts,
            DeviceRepository devices,
            OutboundGuard outboundGuard,
            MailVerifier verifier,
            MailsyncConfig config,
            Clock clock,
            JobStore jobs,
            dev.mailsync.store.Pop3Store pop3Store) {
        this.pop3Store = pop3Store;
        this.jobs = jobs;
        this.accounts = accounts;
        this.devices = devices;
        this.outboundGuard = outboundGuard;
        this.verifier = verifier;
        this.config = config;
        this.clock = clock;
    }

    /** Checks the settings (the host's name is resolved first, with no transaction open), then stores them. */
    public AccountView create(String owner, AccountSettings settings) {
        Instant now = now();
        Account account = validated(Ids.next("acc"), owner, settings, true, null, now, now);
        checkHostAllowed(account.host());
        return Tx.call(() -> {
            rejectDuplicate(account);
            Account saved = accounts.insert(account, settings.password());
            LOG.infof("account %s created (%s %s:%d)", saved.id(), saved.protocol(), saved.host(), saved.port());
            return view(saved);
        });
    }

    public Page<AccountView> list(String owner, String cursor, int limit) {
        return Tx.call(() -> {
            Page<Account> page = Cursors.guard(() -> accounts.page(owner, cursor, limit));
            return new Page<>(page.items().stream().map(this::view).toList(), page.nextCursor());
        });
    }

    public AccountView get(String owner, String accountId) {
        return Tx.call(() -> view(owned(owner, accountId)));
    }

    /**
     * Applies {@code change} to the account's current settings (given without password) and stores the
     * result if it is valid. A new password, host, port, security or username clears the last error.
     */
    public AccountView update(String owner, String accountId, UnaryOperator<AccountSettings> change) {
        // The host's name is resolved between two transactions: read and check, then resolve, then write.
        String host = Tx.call(() -> changed(owner, accountId, change).updated().host());
        checkHostAllowed(host);
        return Tx.call(() -> {
            Changed c = changed(owner, accountId, change);
            if (!c.updated().host().equals(host)) {
                throw new ConflictException("account " + accountId + " changed while it was being updated; try again");
            }
            return store(c);
        });
    }

    /** The account as it is, and as the change would make it (checked, but its host not yet resolved). */
    private record Changed(Account current, AccountSettings next, Account updated) {}

    private Changed changed(String owner, String accountId, UnaryOperator<AccountSettings> change) {
        Account current = owned(owner, accountId);
        AccountSettings next = change.apply(settingsOf(current));
        if (next.protocol() != current.protocol()) {
            throw new InvalidInputException("protocol", "cannot be changed; create a new account instead");
        }
        return new Changed(
                current,
                next,
                validated(current.id(), owner, next, false, current.lastError(), current.createdAt(), now()));
    }

    private AccountView store(Changed c) throws java.sql.SQLException {
        Account current = c.current();
        AccountSettings next = c.next();
        Account updated = c.updated();
        boolean connectionChanged = next.password() != null
                || !updated.host().equals(current.host())
                || updated.port() != current.port()
                || updated.security() != current.security()
                || !updated.username().equals(current.username());
        if (connectionChanged) {
            updated = withoutError(updated);
            unblock(current.id());
        }
        rejectDuplicate(updated);
        Account saved = accounts.update(updated, next.password());
        LOG.infof("account %s updated", saved.id());
        return view(saved);
    }

    public void delete(String owner, String accountId) {
        Tx.run(() -> {
            if (!accounts.deleteOwned(owner, accountId)) {
                throw notFound(accountId);
            }
        });
        LOG.infof("account %s deleted", accountId);
    }

    /**
     * Logs in to the mail server now. No database transaction is open during the mail I/O: one short
     * transaction reads the settings, another records the outcome.
     */
    public VerifyOutcome verify(String owner, String accountId) {
        MailEndpoint endpoint = Tx.call(() -> {
            Account a = owned(owner, accountId);
            return new MailEndpoint(
                    a.protocol(), a.host(), a.port(), a.security(), a.username(), accounts.password(a.id()));
        });
        try {
            VerifyOutcome outcome = verifier.verify(endpoint);
            Tx.run(() -> {
                accounts.recordError(accountId, null);
                unblock(accountId);
            });
            LOG.infof(
                    "account %s verified: %d capabilities",
                    accountId, outcome.capabilities().size());
            return outcome;
        } catch (MailAccessException e) {
            Account.LastError error = new Account.LastError(e.code(), e.getMessage(), now());
            Tx.run(() -> accounts.recordError(accountId, error));
            LOG.infof("account %s verify failed: %s", accountId, e.code());
            throw new MailServerException(e.code(), e.getMessage());
        }
    }

    /** New settings or a good login: scheduled syncs may try this account again. */
    private void unblock(String accountId) throws java.sql.SQLException {
        jobs.setAuthBlocked(accountId, false);
    }

    Account owned(String owner, String accountId) {
        return accounts.findOwned(owner, accountId).orElseThrow(() -> notFound(accountId));
    }

    static NotFoundException notFound(String accountId) {
        return new NotFoundException("no account " + accountId);
    }

    AccountView view(Account account) {
        long deviceCount = devices.countInAccount(account.id());
        List<AccountWarnings.Warning> warnings = AccountWarnings.of(
                account.protocol(), account.security(), account.pop3Retention(), deviceCount, account.quota());
        Pop3Status pop3 = account.protocol() == Protocol.POP3 ? pop3Status(account) : null;
        if (pop3 != null && !pop3.warnings().isEmpty()) {
            warnings = java.util.stream.Stream.concat(warnings.stream(), pop3.warnings().stream())
                    .toList();
        }
        return new AccountView(account, deviceCount, warnings, pop3);
    }

    /** The POP3 account's maildrop, per-device backlog, next deletions and stale-device warnings. */
    private Pop3Status pop3Status(Account account) {
        try {
            var maildrop = pop3Store
                    .maildrop(account.id())
                    .map(m -> new Pop3Status.Maildrop(m.count(), m.sizeBytes(), m.checkedAt()))
                    .orElse(null);
            return Pop3Status.of(
                    maildrop,
                    pop3Store.stored(account.id()),
                    pop3Store.devices(account.id()),
                    account.pop3Retention() == null ? Pop3Retention.KEEP : account.pop3Retention(),
                    account.deleteOnServerWhenDeletedOnDevice(),
                    config.pop3().staleDeviceAfter(),
                    clock.instant());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("database failure: " + e.getMessage(), e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private void rejectDuplicate(Account account) {
        if (accounts.mailboxTaken(account)) {
            throw new ConflictException("an account for " + account.username() + " at " + account.host() + ":"
                    + account.port() + " (" + account.protocol() + ") already exists");
        }
    }

    private Account validated(
            String id,
            String owner,
            AccountSettings s,
            boolean creating,
            Account.LastError lastError,
            Instant createdAt,
            Instant updatedAt) {
        Validator v = new Validator()
                .text("name", s.name(), 0, 100)
                .required("protocol", s.protocol())
                .required("host", s.host())
                .text("host", s.host(), 1, 253)
                .range("port", s.port(), 1, 65535)
                .required("username", s.username())
                .text("username", s.username(), 1, 320)
                .text("password", s.password(), 1, 1024);
        if (creating) {
            v.required("password", s.password());
        }
        Security security = Objects.requireNonNullElse(s.security(), Security.TLS);
        v.check(
                security != Security.NONE || config.outbound().allowPlaintext(),
                "security",
                "NONE (no encryption) is not allowed by this service; use TLS or STARTTLS");
        if (s.host() != null && !v.hasErrorOn("host")) {
            v.check(
                    !s.host().isBlank() && s.host().chars().noneMatch(Character::isWhitespace),
                    "host",
                    "must be a host name or an IP address");
        }
        Pop3Retention retention = null;
        ImapDeleteMode deleteMode = null;
        if (s.protocol() == Protocol.POP3) {
            v.check(s.imapDeleteMode() == null, "imapDeleteMode", "applies to IMAP accounts only");
            AccountSettings.RetentionSettings r = s.pop3Retention();
            if (r == null) {
                retention = Pop3Retention.KEEP;
            } else {
                v.required("pop3Retention.policy", r.policy()).range("pop3Retention.days", r.days(), 1, 3650);
                if (r.policy() == Pop3RetentionPolicy.DELETE_AFTER_DAYS) {
                    v.required("pop3Retention.days", r.days());
                } else if (r.policy() != null) {
                    v.check(r.days() == null, "pop3Retention.days", "applies to policy DELETE_AFTER_DAYS only");
                }
            }
        } else if (s.protocol() == Protocol.IMAP) {
            v.check(s.pop3Retention() == null, "pop3Retention", "applies to POP3 accounts only");
            v.check(
                    s.deleteOnServerWhenDeletedOnDevice() == null,
                    "deleteOnServerWhenDeletedOnDevice",
                    "applies to POP3 accounts only");
            deleteMode = Objects.requireNonNullElse(s.imapDeleteMode(), ImapDeleteMode.TRASH);
        }
        v.throwIfInvalid();
        if (s.protocol() == Protocol.POP3 && s.pop3Retention() != null) {
            retention = new Pop3Retention(
                    s.pop3Retention().policy(), s.pop3Retention().days());
        }
        int port = s.port() != null ? s.port() : security.defaultPort(s.protocol());
        return new Account(
                id,
                owner,
                s.name(),
                s.protocol(),
                s.host(),
                port,
                security,
                s.username(),
                retention,
                s.protocol() == Protocol.POP3 && Boolean.TRUE.equals(s.deleteOnServerWhenDeletedOnDevice()),
                deleteMode,
                lastError,
                null,
                createdAt,
                updatedAt,
                null);
    }

    /**
     * SSRF guard: the host must not resolve to an internal address unless ops allow it. A DNS lookup can
     * take seconds: never inside a database transaction, where it would hold a pooled connection (and
     * row locks) that long — so this refuses to run inside one.
     */
    private void checkHostAllowed(String host) {
        if (Tx.active()) {
            throw new IllegalStateException("a host name lookup inside a database transaction: resolve it first");
        }
        try {
            outboundGuard.resolveAllowed(host);
        } catch (MailAccessException e) {
            String message = e.code() == FailureCode.HOST_NOT_ALLOWED
                    ? "resolves to a loopback, private, link-local or metadata address, which this service may not connect to"
                    : "cannot be resolved to an address";
            throw new InvalidInputException("host", message);
        }
    }

    private static Account withoutError(Account a) {
        return new Account(
                a.id(),
                a.owner(),
                a.name(),
                a.protocol(),
                a.host(),
                a.port(),
                a.security(),
                a.username(),
                a.pop3Retention(),
                a.deleteOnServerWhenDeletedOnDevice(),
                a.imapDeleteMode(),
                null,
                a.lastSyncAt(),
                a.createdAt(),
                a.updatedAt(),
                a.quota());
    }

    /** The writable settings of an account, as a client would send them (no password). */
    public static AccountSettings settingsOf(Account a) {
        return new AccountSettings(
                a.name(),
                a.protocol(),
                a.host(),
                a.port(),
                a.security(),
                a.username(),
                null,
                a.pop3Retention() == null
                        ? null
                        : new AccountSettings.RetentionSettings(
                                a.pop3Retention().policy(), a.pop3Retention().days()),
                a.protocol() == Protocol.POP3 ? a.deleteOnServerWhenDeletedOnDevice() : null,
                a.imapDeleteMode());
    }
}
