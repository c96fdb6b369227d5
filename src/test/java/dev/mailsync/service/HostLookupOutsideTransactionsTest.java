package dev.mailsync.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The SSRF guard resolves an account's host name, which can take seconds: never inside a database
 * transaction (it would hold a pooled connection and row locks that long). Creating and updating an
 * account resolve first and write after, and the guard refuses to run inside a transaction, so a change
 * that wraps them in one fails here.
 */
@QuarkusTest
class HostLookupOutsideTransactionsTest {
    private final AccountService accounts;

    HostLookupOutsideTransactionsTest(AccountService accounts) {
        this.accounts = accounts;
    }

    private static AccountSettings imap(String host) {
        return new AccountSettings(null, Protocol.IMAP, host, 993, Security.TLS, "u", "p", null, null, null);
    }

    @Test
    void create_and_update_resolve_the_host_with_no_transaction_open() {
        String owner = "lookup-" + UUID.randomUUID();
        AccountView created = accounts.create(owner, imap("192.0.2.10"));
        AccountView updated = accounts.update(owner, created.account().id(), s -> imap("192.0.2.11"));
        assertThat(updated.account().host()).isEqualTo("192.0.2.11");
    }

    @Test
    void a_lookup_inside_a_transaction_is_refused_and_nothing_is_stored() {
        String owner = "lookup-" + UUID.randomUUID();
        assertThatThrownBy(
                        () -> QuarkusTransaction.requiringNew().run(() -> accounts.create(owner, imap("192.0.2.12"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("inside a database transaction");
        assertThat(accounts.list(owner, null, 10).items()).isEmpty();
    }
}
