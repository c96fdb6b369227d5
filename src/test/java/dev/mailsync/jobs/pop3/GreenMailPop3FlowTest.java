package dev.mailsync.jobs.pop3;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The POP3 flows on GreenMail. Its DELE takes effect at once, without QUIT, so the "connection cut
 * between DELE and QUIT" case runs only on Dovecot ({@link DovecotPop3FlowTest}).
 */
@QuarkusTest
class GreenMailPop3FlowTest extends Pop3FlowContract {

    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withPerMethodLifecycle(false);

    @Override
    protected Mailbox newMailbox(String user, String password) {
        GreenMailUser u = greenMail.setUser(user + "@example.test", user, password);
        return new Mailbox() {
            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return greenMail.getPop3().getPort();
            }

            @Override
            public String user() {
                return user;
            }

            @Override
            public String password() {
                return password;
            }

            @Override
            public void deliver(byte[] rfc822) {
                try {
                    u.deliver(new MimeMessage(null, new ByteArrayInputStream(rfc822)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public int count() {
                try {
                    return greenMail
                            .getManagers()
                            .getImapHostManager()
                            .getInbox(u)
                            .getMessageCount();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
