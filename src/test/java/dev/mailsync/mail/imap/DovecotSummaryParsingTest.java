package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.testsupport.Dovecot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link SummaryParsingDifferential} against a real Dovecot (PREVIEW from the server). */
class DovecotSummaryParsingTest extends SummaryParsingDifferential {
    private static Dovecot dovecot;

    @BeforeAll
    static void startDovecot() {
        dovecot = Dovecot.start(Dovecot.options().user("bob", "bob-pw"));
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Override
    MailEndpoint endpoint() {
        return dovecot.imapEndpoint("bob");
    }
}
