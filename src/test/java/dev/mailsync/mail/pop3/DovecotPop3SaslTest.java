package dev.mailsync.mail.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.OutboundGuard;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.TestMessages;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AUTH PLAIN (RFC 5034) against a real Dovecot, for servers that turned the USER command off: Dovecot
 * always offers USER, so a line relay in front of it drops that one line of its CAPA answer; everything
 * else, the SASL exchange included, is Dovecot's.
 */
class DovecotPop3SaslTest {
    private static final String USER = "sasl";
    private static final String PASSWORD = "Sasl-Plain-pw-1!";
    private static final MailSessions SESSIONS =
            new MailSessions(new OutboundGuard(true), Duration.ofSeconds(5), Duration.ofSeconds(10), true);

    private static Dovecot dovecot;
    private static CapaWithoutUser relay;

    @BeforeAll
    static void start() throws IOException {
        dovecot = Dovecot.start(Dovecot.options().user(USER, PASSWORD));
        dovecot.appendMessage(USER, "INBOX", TestMessages.simple("Over SASL"));
        relay = new CapaWithoutUser(dovecot.pop3Port());
    }

    @AfterAll
    static void stop() throws IOException {
        if (relay != null) {
            relay.close();
        }
        if (dovecot != null) {
            dovecot.close();
        }
    }

    private static MailEndpoint endpoint(String password) {
        return new MailEndpoint(Protocol.POP3, "127.0.0.1", relay.port(), Security.NONE, USER, password);
    }

    @Test
    void withoutUserInCapaTheClientLogsInWithAuthPlain() throws Exception {
        try (Pop3Client pop3 = Pop3Client.open(SESSIONS, endpoint(PASSWORD))) {
            assertThat(pop3.capabilities()).doesNotContain("USER").contains("SASL");
            assertThat(pop3.stat().count()).isEqualTo(1);
            pop3.quit();
        }
        assertThat(relay.clientLines()).contains("AUTH PLAIN").noneMatch(l -> l.startsWith("USER "));
    }

    @Test
    void aWrongPasswordOverAuthPlainIsAuthFailedWithoutThePassword() {
        assertThatThrownBy(() -> Pop3Client.open(SESSIONS, endpoint("not-the-password")))
                .isInstanceOfSatisfying(MailAccessException.class, e -> {
                    assertThat(e.code()).isEqualTo(FailureCode.AUTH_FAILED);
                    assertThat(e.getMessage()).doesNotContain("not-the-password");
                });
    }

    /** Relays lines both ways; drops the server's line "USER" (its CAPA entry) and records the client's. */
    private static final class CapaWithoutUser implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final int target;
        private final List<String> clientLines = new CopyOnWriteArrayList<>();

        CapaWithoutUser(int target) throws IOException {
            this.target = target;
            Thread accept = new Thread(this::accept, "capa-without-user");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        List<String> clientLines() {
            return clientLines;
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    relay(server, client, false);
                    relay(client, server, true);
                } catch (IOException e) {
                    // closed
                }
            }
        }

        private void relay(Socket from, Socket to, boolean fromClient) {
            Thread t = new Thread(() -> {
                try (from;
                        to) {
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(from.getInputStream(), StandardCharsets.ISO_8859_1));
                    OutputStream out = to.getOutputStream();
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (fromClient) {
                            clientLines.add(line);
                        } else if (line.equals("USER")) {
                            continue;
                        }
                        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                } catch (IOException e) {
                    // one side closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
