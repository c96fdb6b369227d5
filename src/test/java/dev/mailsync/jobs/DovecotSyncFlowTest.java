package dev.mailsync.jobs;

import dev.mailsync.testsupport.Dovecot;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The sync path on a real Dovecot. */
@QuarkusTest
class DovecotSyncFlowTest extends SyncFlowContract {
    private static Dovecot dovecot;

    @BeforeAll
    static void start() {
        dovecot = Dovecot.start(Dovecot.options());
    }

    @AfterAll
    static void stop() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Override
    protected Mailbox newMailbox(String user, String password) {
        dovecot.putUser(user, password);
        return new Mailbox(dovecot.host(), dovecot.imapPort(), user, password);
    }
}
