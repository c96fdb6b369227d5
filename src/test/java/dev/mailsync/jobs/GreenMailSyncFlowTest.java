package dev.mailsync.jobs;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sync path on GreenMail: no CONDSTORE, the scan path. */
@QuarkusTest
class GreenMailSyncFlowTest extends SyncFlowContract {

    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withPerMethodLifecycle(false);

    @Override
    protected Mailbox newMailbox(String user, String password) {
        greenMail.setUser(user + "@example.test", user, password);
        return new Mailbox("127.0.0.1", greenMail.getImap().getPort(), user, password);
    }
}
