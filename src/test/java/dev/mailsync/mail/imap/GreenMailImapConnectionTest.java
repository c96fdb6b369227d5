package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.mail.MailEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ImapConnection} against GreenMail: no CONDSTORE (HIGHESTMODSEQ stays null) and no PREVIEW (the
 * preview comes from the first bytes of the text part).
 */
class GreenMailImapConnectionTest extends ImapConnectionContract {
    @RegisterExtension
    static final ImapTestServers.GreenMailServer SERVER = ImapTestServers.greenMail();

    @Override
    MailEndpoint endpoint() {
        return SERVER.endpoint();
    }

    @Override
    PlainImap otherClient() {
        return SERVER.otherClient();
    }

    @Override
    boolean condstore() {
        return false;
    }

    @Test
    void greenMailHasNeitherCondstoreNorPreview() throws Exception {
        try (ImapConnection c = open()) {
            assertThat(c.capabilities()).doesNotContain("CONDSTORE", "PREVIEW");
        }
    }
}
