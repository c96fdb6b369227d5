package dev.mailsync.mail.imap;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SummaryParsingDifferential} against GreenMail (no PREVIEW: previews come from the text part). */
class GreenMailSummaryParsingTest extends SummaryParsingDifferential {
    private static final String PASSWORD = "bob-pw";

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("bob@example.org", "bob", PASSWORD))
            .withPerMethodLifecycle(false);

    @Override
    MailEndpoint endpoint() {
        return new MailEndpoint(
                Protocol.IMAP, "127.0.0.1", GREENMAIL.getImap().getPort(), Security.NONE, "bob", PASSWORD);
    }
}
