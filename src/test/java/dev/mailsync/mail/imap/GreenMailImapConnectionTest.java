package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ImapConnection} against GreenMail: no CONDSTORE (HIGHESTMODSEQ stays null) and no PREVIEW (the
 * preview comes from the first bytes of the text part).
 */
class GreenMailImapConnectionTest extends ImapConnectionContract {
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

    @Override
    PlainImap otherClient() {
        return new PlainImap("127.0.0.1", GREENMAIL.getImap().getPort(), "bob", PASSWORD);
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
