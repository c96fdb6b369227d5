package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MailVerifierTest {
    private static final String HOST = "127.0.0.1";
    private static final String PASSWORD = "s3cret-pw";

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetup.dynamicPort(
                    new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.POP3, ServerSetupTest.IMAPS}))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("bob@example.org", "bob", PASSWORD))
            .withPerMethodLifecycle(false);

    /** Loopback is where the test servers are, so these tests allow private addresses. */
    private final MailVerifier verifier = verifier(true, Duration.ofSeconds(5));

    private static MailVerifier verifier(boolean allowPrivate, Duration readTimeout) {
        return new MailVerifier(
                new MailSessions(new OutboundGuard(allowPrivate), Duration.ofSeconds(2), readTimeout, true));
    }

    private static MailEndpoint imap(Security security, String password) {
        return new MailEndpoint(Protocol.IMAP, HOST, GREENMAIL.getImap().getPort(), security, "bob", password);
    }

    private static MailEndpoint pop3(Security security, String password) {
        return new MailEndpoint(Protocol.POP3, HOST, GREENMAIL.getPop3().getPort(), security, "bob", password);
    }

    private static MailAccessException failure(MailVerifier verifier, MailEndpoint endpoint) {
        try {
            VerifyOutcome outcome = verifier.verify(endpoint);
            throw new AssertionError("expected a failure, got " + outcome);
        } catch (MailAccessException e) {
            assertThat(e.getMessage()).doesNotContain(endpoint.password());
            return e;
        }
    }

    @Test
    void imapLoginWithTheRightPasswordReportsTheCapabilities() throws Exception {
        VerifyOutcome outcome = verifier.verify(imap(Security.NONE, PASSWORD));

        assertThat(outcome.protocol()).isEqualTo(Protocol.IMAP);
        assertThat(outcome.capabilities()).contains("IMAP4REV1").noneMatch(c -> c.startsWith("__"));
        assertThat(outcome.capabilities()).isSorted();
    }

    @Test
    void imapLoginWithAWrongPasswordIsAuthFailed() {
        MailAccessException e = failure(verifier, imap(Security.NONE, "wrong-password"));

        assertThat(e.code()).isEqualTo(FailureCode.AUTH_FAILED);
        assertThat(e.getMessage()).startsWith("server rejected login for user bob");
    }

    @Test
    void pop3LoginWithTheRightPasswordReportsUidl() throws Exception {
        VerifyOutcome outcome = verifier.verify(pop3(Security.NONE, PASSWORD));

        assertThat(outcome.protocol()).isEqualTo(Protocol.POP3);
        assertThat(outcome.capabilities()).contains("UIDL");
    }

    @Test
    void pop3LoginWithAWrongPasswordIsAuthFailed() {
        MailAccessException e = failure(verifier, pop3(Security.NONE, "wrong-password"));

        assertThat(e.code()).isEqualTo(FailureCode.AUTH_FAILED);
        assertThat(e.getMessage()).startsWith("server rejected login for user bob");
    }

    @Test
    void aClosedPortIsHostUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            closedPort = s.getLocalPort();
        }
        MailEndpoint endpoint = new MailEndpoint(Protocol.IMAP, HOST, closedPort, Security.NONE, "bob", PASSWORD);

        MailAccessException e = failure(verifier, endpoint);

        assertThat(e.code()).isEqualTo(FailureCode.HOST_UNREACHABLE);
        assertThat(e.getMessage()).isEqualTo("connection refused by 127.0.0.1:" + closedPort);
    }

    @Test
    void aServerThatNeverGreetsIsTimeoutAfterTheReadTimeout() throws Exception {
        try (ScriptedServer silent = ScriptedServer.silent()) {
            MailEndpoint endpoint =
                    new MailEndpoint(Protocol.IMAP, HOST, silent.port(), Security.NONE, "bob", PASSWORD);
            long start = System.nanoTime();

            MailAccessException e = failure(verifier(true, Duration.ofMillis(300)), endpoint);

            assertThat(e.code()).isEqualTo(FailureCode.TIMEOUT);
            assertThat(e.getMessage()).isEqualTo("timed out waiting for a response from 127.0.0.1:" + silent.port());
            // far below any default (Angus waits forever), with room for a loaded machine
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aPop3ServerThatNeverGreetsIsTimeoutToo() throws Exception {
        try (ScriptedServer silent = ScriptedServer.silent()) {
            MailEndpoint endpoint =
                    new MailEndpoint(Protocol.POP3, HOST, silent.port(), Security.NONE, "bob", PASSWORD);

            assertThat(failure(verifier(true, Duration.ofMillis(300)), endpoint).code())
                    .isEqualTo(FailureCode.TIMEOUT);
        }
    }

    @Test
    void aServerThatGreetsAndThenStopsAnsweringIsTimeout() throws Exception {
        // Angus reports this read timeout as a synthetic "* BYE" response, not as the exception itself.
        try (ScriptedServer mute = ScriptedServer.greeting("* OK ready\r\n")) {
            MailEndpoint endpoint = new MailEndpoint(Protocol.IMAP, HOST, mute.port(), Security.NONE, "bob", PASSWORD);

            MailAccessException e = failure(verifier(true, Duration.ofMillis(300)), endpoint);

            assertThat(e.code()).isEqualTo(FailureCode.TIMEOUT);
        }
    }

    @Test
    void aServerThatHangsUpAfterTheGreetingIsAProtocolError() throws Exception {
        try (ScriptedServer rude = ScriptedServer.greetingThenClose("* OK ready\r\n")) {
            MailEndpoint endpoint = new MailEndpoint(Protocol.IMAP, HOST, rude.port(), Security.NONE, "bob", PASSWORD);

            MailAccessException e = failure(verifier, endpoint);

            assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR);
            assertThat(e.getMessage())
                    .isEqualTo("server 127.0.0.1:" + rude.port() + " closed the connection unexpectedly");
        }
    }

    @Test
    void implicitTlsAgainstAPlaintextPortIsTlsFailed() {
        MailAccessException e = failure(verifier, imap(Security.TLS, PASSWORD));

        assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED);
        assertThat(e.getMessage())
                .startsWith(
                        "TLS handshake with 127.0.0.1:" + GREENMAIL.getImap().getPort());
    }

    @Test
    void implicitTlsRejectsACertificateNobodyTrusts() {
        // GreenMail's IMAPS certificate is self-signed: verification must refuse it.
        MailEndpoint endpoint =
                new MailEndpoint(Protocol.IMAP, HOST, GREENMAIL.getImaps().getPort(), Security.TLS, "bob", PASSWORD);

        MailAccessException e = failure(verifier, endpoint);

        assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED);
    }

    @Test
    void starttlsAgainstAnImapServerThatDoesNotOfferItIsTlsFailed() {
        MailAccessException e = failure(verifier, imap(Security.STARTTLS, PASSWORD));

        assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED);
        assertThat(e.getMessage()).contains("does not offer STARTTLS");
    }

    @Test
    void starttlsAgainstAPop3ServerThatDoesNotOfferItIsTlsFailed() {
        MailAccessException e = failure(verifier, pop3(Security.STARTTLS, PASSWORD));

        assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED);
    }

    @Test
    void aGarbageGreetingIsAProtocolError() throws Exception {
        try (ScriptedServer garbage = ScriptedServer.greeting("HELLO I am not an IMAP server\r\n")) {
            MailEndpoint endpoint =
                    new MailEndpoint(Protocol.IMAP, HOST, garbage.port(), Security.NONE, "bob", PASSWORD);

            MailAccessException e = failure(verifier(true, Duration.ofSeconds(5)), endpoint);

            assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void aGarbagePop3GreetingIsAProtocolError() throws Exception {
        try (ScriptedServer garbage = ScriptedServer.greeting("-ERR go away\r\n")) {
            MailEndpoint endpoint =
                    new MailEndpoint(Protocol.POP3, HOST, garbage.port(), Security.NONE, "bob", PASSWORD);

            MailAccessException e = failure(verifier(true, Duration.ofSeconds(5)), endpoint);

            assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void aLoopbackHostIsNotAllowedAndNoConnectionIsMade() throws Exception {
        try (ScriptedServer recorder = ScriptedServer.greeting("* OK ready\r\n")) {
            MailEndpoint endpoint =
                    new MailEndpoint(Protocol.IMAP, HOST, recorder.port(), Security.NONE, "bob", PASSWORD);

            MailAccessException e = failure(verifier(false, Duration.ofSeconds(1)), endpoint);

            assertThat(e.code()).isEqualTo(FailureCode.HOST_NOT_ALLOWED);
            assertThat(recorder.connectionsAcceptedBeforeAProbe()).isZero();
        }
    }

    @Test
    void aLoopbackHostIsNotAllowedOverImplicitTlsEither() throws Exception {
        try (ScriptedServer recorder = ScriptedServer.silent()) {
            MailEndpoint endpoint =
                    new MailEndpoint(Protocol.POP3, "localhost", recorder.port(), Security.TLS, "bob", PASSWORD);

            MailAccessException e = failure(verifier(false, Duration.ofSeconds(1)), endpoint);

            assertThat(e.code()).isEqualTo(FailureCode.HOST_NOT_ALLOWED);
            assertThat(recorder.connectionsAcceptedBeforeAProbe()).isZero();
        }
    }

    @Test
    void plaintextIsRefusedBeforeConnectingWhenTheServiceForbidsIt() throws Exception {
        try (ScriptedServer recorder = ScriptedServer.greeting("* OK ready\r\n")) {
            MailVerifier strict = new MailVerifier(
                    new MailSessions(new OutboundGuard(true), Duration.ofSeconds(1), Duration.ofSeconds(1), false));
            MailEndpoint endpoint =
                    new MailEndpoint(Protocol.IMAP, HOST, recorder.port(), Security.NONE, "bob", PASSWORD);

            assertThatThrownBy(() -> strict.verify(endpoint))
                    .isInstanceOfSatisfying(
                            MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED));
            assertThat(recorder.connectionsAcceptedBeforeAProbe()).isZero();
        }
    }
}
