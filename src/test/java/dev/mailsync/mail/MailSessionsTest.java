package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MailSessionsTest {
    private final MailSessions sessions =
            new MailSessions(new OutboundGuard(false), Duration.ofSeconds(7), Duration.ofSeconds(25), true);

    private static MailEndpoint endpoint(Protocol protocol, Security security) {
        return new MailEndpoint(protocol, "mail.example.org", 1234, security, "bob", "pw");
    }

    @Test
    void implicitTlsUsesTheSslStoreWithEveryTimeoutAndTheGuardedFactories() throws Exception {
        Properties p = sessions.properties(endpoint(Protocol.IMAP, Security.TLS));

        assertThat(p.getProperty("mail.store.protocol")).isEqualTo("imaps");
        assertThat(p.getProperty("mail.imaps.connectiontimeout")).isEqualTo("7000");
        assertThat(p.getProperty("mail.imaps.timeout")).isEqualTo("25000");
        assertThat(p.getProperty("mail.imaps.writetimeout")).isEqualTo("25000");
        assertThat(p.get("mail.imaps.socketFactory")).isInstanceOf(GuardedSocketFactory.class);
        assertThat(p.get("mail.imaps.ssl.socketFactory")).isInstanceOf(GuardedSocketFactory.class);
        assertThat(p.getProperty("mail.imaps.socketFactory.fallback")).isEqualTo("false");
        assertThat(p.getProperty("mail.imaps.ssl.checkserveridentity")).isEqualTo("true");
        assertThat(p.getProperty("mail.imaps.ssl.trust")).isNull();
    }

    @Test
    void starttlsIsRequiredNotJustEnabled() throws Exception {
        Properties p = sessions.properties(endpoint(Protocol.POP3, Security.STARTTLS));

        assertThat(p.getProperty("mail.store.protocol")).isEqualTo("pop3");
        assertThat(p.getProperty("mail.pop3.starttls.enable")).isEqualTo("true");
        assertThat(p.getProperty("mail.pop3.starttls.required")).isEqualTo("true");
        assertThat(p.getProperty("mail.pop3.ssl.checkserveridentity")).isEqualTo("true");
        assertThat(p.getProperty("mail.pop3.timeout")).isEqualTo("25000");
    }

    @Test
    void plaintextUsesNoTlsAtAll() throws Exception {
        Properties p = sessions.properties(endpoint(Protocol.IMAP, Security.NONE));

        assertThat(p.getProperty("mail.store.protocol")).isEqualTo("imap");
        assertThat(p.getProperty("mail.imap.starttls.enable")).isEqualTo("false");
        assertThat(p.getProperty("mail.imap.ssl.enable")).isEqualTo("false");
    }

    @Test
    void theProtocolTraceIsNeverSwitchedOn() throws Exception {
        assertThat(sessions.session(endpoint(Protocol.IMAP, Security.TLS)).getDebug())
                .isFalse();
        assertThat(sessions.properties(endpoint(Protocol.POP3, Security.TLS)).getProperty("mail.debug"))
                .isEqualTo("false");
    }

    @Test
    void plaintextIsRefusedWhenTheServiceDoesNotAllowIt() {
        MailSessions strict =
                new MailSessions(new OutboundGuard(false), Duration.ofSeconds(1), Duration.ofSeconds(1), false);

        assertThatThrownBy(() -> strict.properties(endpoint(Protocol.IMAP, Security.NONE)))
                .isInstanceOfSatisfying(
                        MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED));
    }

    @Test
    void aZeroTimeoutIsRejectedBecauseItMeansWaitForever() {
        assertThatThrownBy(() -> new MailSessions(new OutboundGuard(false), Duration.ZERO, Duration.ofSeconds(1), true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
