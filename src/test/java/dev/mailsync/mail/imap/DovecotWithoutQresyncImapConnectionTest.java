package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.testsupport.Dovecot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ImapConnection} against a Dovecot that announces CONDSTORE and ESEARCH but not QRESYNC: the whole
 * contract, change detection included, holds there too.
 */
class DovecotWithoutQresyncImapConnectionTest extends ImapConnectionContract {
    private static Dovecot dovecot;

    @BeforeAll
    static void startDovecot() {
        dovecot = Dovecot.start(Dovecot.options().user("bob", "bob-pw").qresync(false));
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

    @Override
    PlainImap otherClient() {
        MailEndpoint e = endpoint();
        return new PlainImap(e.host(), e.port(), e.username(), e.password());
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
