package dev.mailsync.mail.imap;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import dev.mailsync.testsupport.Dovecot;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The IMAP servers that the {@link ImapConnectionContract} and {@link SummaryParsingDifferential} classes
 * run against, with the user {@value #USER}. Register one as a {@code static} {@code @RegisterExtension}
 * field: it starts before the class's first test and stops after its last.
 */
final class ImapTestServers {
    static final String USER = "bob";
    static final String PASSWORD = "bob-pw";

    private ImapTestServers() {}

    /** What the tests need of a server. */
    interface Server {
        /** The test user's IMAP endpoint. */
        MailEndpoint endpoint();

        /** Another client logged in as the test user. */
        default PlainImap otherClient() {
            MailEndpoint e = endpoint();
            return new PlainImap(e.host(), e.port(), e.username(), e.password());
        }
    }

    /** A Dovecot of the test class's own (skipped or failed as {@link Dovecot#start} says when missing). */
    static DovecotServer dovecot() {
        return new DovecotServer(Dovecot.options());
    }

    /** {@link #dovecot()} announcing CONDSTORE but not QRESYNC. */
    static DovecotServer dovecotWithoutQresync() {
        return new DovecotServer(Dovecot.options().qresync(false));
    }

    /** GreenMail (neither CONDSTORE nor PREVIEW), one server for the whole test class. */
    static GreenMailServer greenMail() {
        return new GreenMailServer();
    }

    static final class DovecotServer implements Server, BeforeAllCallback, AfterAllCallback {
        private final Dovecot.Options options;
        private Dovecot dovecot;

        private DovecotServer(Dovecot.Options options) {
            this.options = options.user(USER, PASSWORD);
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            dovecot = Dovecot.start(options);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (dovecot != null) {
                dovecot.close();
                dovecot = null;
            }
        }

        @Override
        public MailEndpoint endpoint() {
            return dovecot.imapEndpoint(USER);
        }
    }

    static final class GreenMailServer extends GreenMailExtension implements Server {
        private GreenMailServer() {
            super(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP));
            withConfiguration(GreenMailConfiguration.aConfig().withUser("bob@example.org", USER, PASSWORD));
            withPerMethodLifecycle(false);
        }

        @Override
        public MailEndpoint endpoint() {
            return new MailEndpoint(Protocol.IMAP, "127.0.0.1", getImap().getPort(), Security.NONE, USER, PASSWORD);
        }
    }
}
