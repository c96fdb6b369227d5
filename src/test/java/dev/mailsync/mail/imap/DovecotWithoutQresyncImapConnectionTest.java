package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.mail.MailEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ImapConnection} against a Dovecot that announces CONDSTORE and ESEARCH but not QRESYNC: the whole
 * contract, change detection included, holds there too.
 */
class DovecotWithoutQresyncImapConnectionTest extends ImapConnectionContract {
    @RegisterExtension
    static final ImapTestServers.DovecotServer SERVER = ImapTestServers.dovecotWithoutQresync();

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
        return true;
    }

    @Test
    void condstoreAndEsearchWithoutQresync() throws Exception {
        try (ImapConnection c = open()) {
            assertThat(c.capabilities())
                    .contains("CONDSTORE", "ESEARCH", "ENABLE")
                    .doesNotContain("QRESYNC");
            assertThat(c.hasCondstore()).isTrue();
        }
    }
}
