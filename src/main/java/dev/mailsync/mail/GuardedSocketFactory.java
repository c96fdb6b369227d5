package dev.mailsync.mail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * The socket factory Angus uses for every mail connection ({@code mail.<protocol>.socketFactory} and
 * {@code mail.<protocol>.ssl.socketFactory}). Its sockets resolve the host through the {@link
 * OutboundGuard} when they connect and connect to the address the guard checked, never to an address
 * resolved elsewhere, so a DNS answer that changes between check and connect (DNS rebinding) cannot
 * reach a forbidden address.
 *
 * <p>It is deliberately a plain {@link SocketFactory}, also for implicit TLS: Angus asks a plain factory
 * for an unconnected socket and connects it itself, then layers TLS on top with the JVM's default
 * {@code SSLSocketFactory} (also for STARTTLS) and checks the certificate and the host name
 * ({@code mail.<protocol>.ssl.checkserveridentity}). Given an {@code SSLSocketFactory} instead, Angus
 * would open the TCP connection with a socket of its own, past the guard. Certificates are therefore
 * trusted as the process's default TLS context trusts them: the JVM's CAs, plus the certificates of
 * {@code mailsync.mail.trust-store} ({@link MailTrust}).
 */
public final class GuardedSocketFactory extends SocketFactory {
    private final OutboundGuard guard;
    private final int connectTimeoutMillis;

    /**
     * @param connectTimeout used when the caller connects without a timeout of its own (Angus passes
     *     {@code mail.<protocol>.connectiontimeout})
     */
    public GuardedSocketFactory(OutboundGuard guard, Duration connectTimeout) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.connectTimeoutMillis = MailSessions.millis(connectTimeout);
    }

    /** An unconnected socket; {@link Socket#connect(SocketAddress, int)} goes through the guard. */
    @Override
    public Socket createSocket() {
        return new GuardedSocket(guard, connectTimeoutMillis);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(InetSocketAddress.createUnresolved(host, port), connectTimeoutMillis);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localHost, localPort));
        socket.connect(InetSocketAddress.createUnresolved(host, port), connectTimeoutMillis);
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localAddress, localPort));
        socket.connect(new InetSocketAddress(address, port), connectTimeoutMillis);
        return socket;
    }

    @Override
    public String toString() {
        return "GuardedSocketFactory[" + guard + ", connectTimeout=" + connectTimeoutMillis + "ms]";
    }

    /** A plain socket whose connect resolves through the guard, whatever the caller resolved before. */
    static final class GuardedSocket extends Socket {
        private final OutboundGuard guard;
        private final int defaultTimeoutMillis;

        GuardedSocket(OutboundGuard guard, int defaultTimeoutMillis) {
            this.guard = guard;
            this.defaultTimeoutMillis = defaultTimeoutMillis;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (!(endpoint instanceof InetSocketAddress target)) {
                throw new SocketException("unsupported address type " + endpoint);
            }
            // getHostString is the name as the caller gave it (no reverse lookup); the address the caller
            // may have resolved on its own is ignored.
            String host = target.getHostString();
            List<InetAddress> allowed;
            try {
                allowed = guard.resolveAllowed(host);
            } catch (MailAccessException e) {
                close();
                throw new OutboundRefusedException(e);
            }
            // The first address, as java.net does: a socket whose connect failed is closed and cannot try
            // the next one.
            super.connect(
                    new InetSocketAddress(allowed.get(0), target.getPort()),
                    timeout > 0 ? timeout : defaultTimeoutMillis);
        }
    }

    /**
     * Carries the guard's refusal through Angus, which only passes {@link IOException}s on; {@link
     * MailFailures#classify} finds the {@link MailAccessException} in the cause chain.
     */
    static final class OutboundRefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        OutboundRefusedException(MailAccessException cause) {
            super(cause.getMessage());
            initCause(cause);
        }
    }
}
