package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import org.junit.jupiter.api.Test;

class MailEndpointTest {

    @Test
    void toStringNeverShowsThePassword() {
        MailEndpoint endpoint =
                new MailEndpoint(Protocol.IMAP, "imap.example.org", 993, Security.TLS, "bob", "hunter2-secret");

        assertThat(endpoint.toString())
                .doesNotContain("hunter2-secret")
                .contains("imap.example.org", "993", "bob", "TLS", "****");
    }

    @Test
    void anIpv6HostIsBracketedInItsAddress() {
        MailEndpoint endpoint = new MailEndpoint(Protocol.POP3, "2001:db8::1", 995, Security.TLS, "bob", "x");

        assertThat(endpoint.address()).isEqualTo("[2001:db8::1]:995");
    }

    @Test
    void aPortOutsideTheTcpRangeIsRejected() {
        assertThatThrownBy(() -> new MailEndpoint(Protocol.IMAP, "h", 0, Security.TLS, "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MailEndpoint(Protocol.IMAP, "h", 65_536, Security.TLS, "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBlankHostIsRejected() {
        assertThatThrownBy(() -> new MailEndpoint(Protocol.IMAP, " ", 993, Security.TLS, "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
