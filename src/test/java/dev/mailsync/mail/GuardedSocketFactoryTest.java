package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.sync.FailureCode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GuardedSocketFactoryTest {
    private static final Duration CONNECT = Duration.ofSeconds(2);

    @Test
    void connectsToTheAddressTheGuardResolvedNotTheOneTheCallerResolved() throws Exception {
        // The caller "resolved" localhost to a public address (as a rebinding DNS answer could); the socket
        // must ignore that and connect where the guard's own lookup points.
        InetAddress stale = InetAddress.getByAddress("localhost", new byte[] {93, (byte) 184, (byte) 216, 34});
        GuardedSocketFactory factory = new GuardedSocketFactory(new OutboundGuard(true), CONNECT);

        try (ScriptedServer server = ScriptedServer.silent();
                Socket socket = factory.createSocket()) {
            socket.connect(new InetSocketAddress(stale, server.port()), 2_000);

            assertThat(socket.getInetAddress().isLoopbackAddress()).isTrue();
            assertThat(socket.getPort()).isEqualTo(server.port());
        }
    }

    @Test
    void refusesAForbiddenHostEvenWhenTheCallerResolvedItToAPublicAddress() throws Exception {
        InetAddress stale = InetAddress.getByAddress("localhost", new byte[] {93, (byte) 184, (byte) 216, 34});
        GuardedSocketFactory factory = new GuardedSocketFactory(new OutboundGuard(false), CONNECT);

        try (ScriptedServer server = ScriptedServer.silent()) {
            Socket socket = factory.createSocket();

            assertThatThrownBy(() -> socket.connect(new InetSocketAddress(stale, server.port()), 2_000))
                    .hasCauseInstanceOf(MailAccessException.class);
            assertThat(MailFailures.classify(catchConnect(socket, stale, server.port()))
                            .code())
                    .isEqualTo(FailureCode.HOST_NOT_ALLOWED);
            assertThat(socket.isClosed()).isTrue();
            assertThat(server.connectionsAcceptedBeforeAProbe()).isZero();
        }
    }

    @Test
    void theHostAndPortShortcutAlsoGoesThroughTheGuard() throws Exception {
        GuardedSocketFactory factory = new GuardedSocketFactory(new OutboundGuard(false), CONNECT);

        try (ScriptedServer server = ScriptedServer.silent()) {
            assertThatThrownBy(() -> factory.createSocket("127.0.0.1", server.port()))
                    .hasCauseInstanceOf(MailAccessException.class);
            assertThat(server.connectionsAcceptedBeforeAProbe()).isZero();
        }
    }

    private static Exception catchConnect(Socket socket, InetAddress address, int port) {
        try {
            socket.connect(new InetSocketAddress(address, port), 2_000);
            return null;
        } catch (Exception e) {
            return e;
        }
    }
}
