package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailEndpoint;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SummaryParsingDifferential} against GreenMail (no PREVIEW: previews come from the text part). */
class GreenMailSummaryParsingTest extends SummaryParsingDifferential {
    @RegisterExtension
    static final ImapTestServers.GreenMailServer SERVER = ImapTestServers.greenMail();

    @Override
    MailEndpoint endpoint() {
        return SERVER.endpoint();
    }
}
