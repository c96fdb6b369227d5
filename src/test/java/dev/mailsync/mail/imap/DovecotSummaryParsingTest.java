package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailEndpoint;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SummaryParsingDifferential} against a real Dovecot (PREVIEW from the server). */
class DovecotSummaryParsingTest extends SummaryParsingDifferential {
    @RegisterExtension
    static final ImapTestServers.DovecotServer SERVER = ImapTestServers.dovecot();

    @Override
    MailEndpoint endpoint() {
        return SERVER.endpoint();
    }
}
