package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.sync.FailureCode;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundGuardTest {

    @ParameterizedTest(name = "{0} is forbidden")
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.255.255.254",
                "0.0.0.0",
                "0.1.2.3",
                "10.0.0.1",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254",
                "169.254.0.1",
                "100.64.0.1",
                "100.127.255.255",
                "100.100.100.200",
                "192.0.0.170",
                "198.18.0.1",
                "198.19.255.255",
                "224.0.0.1",
                "239.255.255.250",
                "240.0.0.1",
                "255.255.255.255",
                "192.0.2.10",
                "168.63.129.16",
                "::1",
                "::",
                "::ffff:10.0.0.1",
                "::ffff:127.0.0.1",
                "::ffff:169.254.169.254",
                "::127.0.0.1",
                "::ffff:0:a00:1",
                "fd00::1",
                "fc00::1",
                "fd00:ec2::254",
                "fe80::1",
                "febf::1",
                "fec0::1",
                "ff02::1",
                "64:ff9b::a00:1",
                "64:ff9b:1::1",
                "2002:a00:1::1",
                "2001:db8::1",
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                "100::1"
            })
    void anInternalOrReservedAddressIsForbidden(String literal) throws UnknownHostException {
        assertThat(OutboundGuard.isForbidden(InetAddress.getByName(literal))).isTrue();
    }

    @ParameterizedTest(name = "{0} is allowed")
    @ValueSource(
            strings = {
                "93.184.216.34",
                "1.1.1.1",
                "8.8.8.8",
                "172.32.0.1",
                "100.128.0.1",
                "169.253.255.255",
                "198.20.0.1",
                "2606:4700::1",
                "2a00:1450:4001:80b::200e",
                "::ffff:93.184.216.34",
                "64:ff9b::5db8:d822",
                "2002:5db8:d822::1"
            })
    void aPublicAddressIsAllowed(String literal) throws UnknownHostException {
        assertThat(OutboundGuard.isForbidden(InetAddress.getByName(literal))).isFalse();
    }

    @Test
    void anIpv4MappedAddressKeptAsIpv6IsJudgedByItsIpv4Part() throws UnknownHostException {
        // InetAddress.getByName turns ::ffff:a.b.c.d into an Inet4Address; this constructor does not.
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        InetAddress address = Inet6Address.getByAddress(null, mapped, -1);

        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(OutboundGuard.isForbidden(address)).isTrue();
    }

    @Test
    void resolvingALoopbackHostIsRefusedWithHostNotAllowed() {
        OutboundGuard guard = new OutboundGuard(false);

        assertThatThrownBy(() -> guard.resolveAllowed("localhost"))
                .isInstanceOfSatisfying(MailAccessException.class, e -> {
                    assertThat(e.code()).isEqualTo(FailureCode.HOST_NOT_ALLOWED);
                    assertThat(e.getMessage()).contains("localhost").doesNotContain("127.0.0.1");
                });
    }

    @Test
    void resolvingTheMetadataAddressIsRefused() {
        OutboundGuard guard = new OutboundGuard(false);

        assertThatThrownBy(() -> guard.resolveAllowed("169.254.169.254"))
                .isInstanceOfSatisfying(
                        MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.HOST_NOT_ALLOWED));
    }

    @Test
    void resolvingABracketedIpv6LoopbackIsRefused() {
        OutboundGuard guard = new OutboundGuard(false);

        assertThatThrownBy(() -> guard.resolveAllowed("[::1]"))
                .isInstanceOfSatisfying(
                        MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.HOST_NOT_ALLOWED));
    }

    @Test
    void resolvingAPublicLiteralReturnsIt() throws Exception {
        OutboundGuard guard = new OutboundGuard(false);

        assertThat(guard.resolveAllowed("93.184.216.34")).containsExactly(InetAddress.getByName("93.184.216.34"));
    }

    @Test
    void allowPrivateLetsLoopbackThrough() throws Exception {
        OutboundGuard guard = new OutboundGuard(true);

        assertThat(guard.resolveAllowed("127.0.0.1")).containsExactly(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void aNameThatDoesNotResolveIsHostUnreachable() {
        OutboundGuard guard = new OutboundGuard(true);

        assertThatThrownBy(() -> guard.resolveAllowed("no-such-host.invalid"))
                .isInstanceOfSatisfying(MailAccessException.class, e -> {
                    assertThat(e.code()).isEqualTo(FailureCode.HOST_UNREACHABLE);
                    assertThat(e.getMessage()).isEqualTo("cannot resolve host no-such-host.invalid");
                });
    }

    @Test
    void aBlankHostIsHostUnreachable() {
        OutboundGuard guard = new OutboundGuard(true);

        assertThatThrownBy(() -> guard.resolveAllowed("  "))
                .isInstanceOfSatisfying(
                        MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.HOST_UNREACHABLE));
    }
}
