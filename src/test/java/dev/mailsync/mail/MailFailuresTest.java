package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.junit.jupiter.api.Test;

class MailFailuresTest {
    private static final MailEndpoint BOB =
            new MailEndpoint(Protocol.IMAP, "imap.example.org", 993, Security.TLS, "bob", "correct-horse");

    @Test
    void aTimeoutHiddenBehindTheNextExceptionIsFound() {
        MessagingException outer = new MessagingException("failed", new SocketTimeoutException("Read timed out"));

        MailAccessException e = MailFailures.classify(outer, BOB);

        assertThat(e.code()).isEqualTo(FailureCode.TIMEOUT);
        assertThat(e.getMessage()).isEqualTo("timed out waiting for a response from imap.example.org:993");
    }

    @Test
    void aTimeoutInsideACauseChainIsFound() {
        IOException wrapped = new IOException("wrapper", new SocketTimeoutException("Connect timed out"));

        MailAccessException e = MailFailures.classify(new MessagingException("x", wrapped), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.TIMEOUT);
        assertThat(e.getMessage()).isEqualTo("timed out connecting to imap.example.org:993");
    }

    @Test
    void aTimeoutInsideAngusSyntheticByeResponseIsFound() {
        ProtocolException bye =
                new ProtocolException(Response.byeResponse(new SocketTimeoutException("Read timed out")));

        MailAccessException e = MailFailures.classify(new MessagingException(bye.getMessage(), bye), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.TIMEOUT);
    }

    @Test
    void pop3TimeoutsDisguisedAsAuthenticationFailuresAreTimeouts() {
        // Angus's POP3 store keeps only the message of the EOFException it made from the timeout.
        MailAccessException e = MailFailures.classify(new AuthenticationFailedException("Read timed out"), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.TIMEOUT);
    }

    @Test
    void pop3MissingStlsDisguisedAsAnAuthenticationFailureIsTlsFailed() {
        MailAccessException e =
                MailFailures.classify(new AuthenticationFailedException("STLS required but not supported"), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED);
    }

    @Test
    void authenticationWinsOverTheOuterWrapper() {
        MessagingException outer =
                new MessagingException("x", new AuthenticationFailedException("[AUTHENTICATIONFAILED] nope"));

        MailAccessException e = MailFailures.classify(outer, BOB);

        assertThat(e.code()).isEqualTo(FailureCode.AUTH_FAILED);
        assertThat(e.getMessage()).isEqualTo("server rejected login for user bob: [AUTHENTICATIONFAILED] nope");
    }

    @Test
    void aPasswordEchoedByTheServerIsRemovedFromTheDetail() {
        MailAccessException e =
                MailFailures.classify(new AuthenticationFailedException("bad password correct-horse\r\n"), BOB);

        assertThat(e.getMessage())
                .doesNotContain("correct-horse")
                .contains("****")
                .doesNotContain("\n");
    }

    @Test
    void aHandshakeFailureIsTlsFailed() {
        MailAccessException e = MailFailures.classify(
                new MessagingException("x", new SSLHandshakeException("PKIX path building failed")), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED);
        assertThat(e.getMessage())
                .isEqualTo("TLS handshake with imap.example.org:993 failed: PKIX path building failed");
    }

    @Test
    void aRefusedConnectionIsHostUnreachable() {
        MailAccessException e =
                MailFailures.classify(new MessagingException("x", new ConnectException("refused")), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.HOST_UNREACHABLE);
        assertThat(e.getMessage()).isEqualTo("connection refused by imap.example.org:993");
    }

    @Test
    void aGuardRefusalKeepsItsOwnCodeAndDetail() {
        MailAccessException refusal = new MailAccessException(FailureCode.HOST_NOT_ALLOWED, "host x is not allowed");

        MailAccessException e =
                MailFailures.classify(new MessagingException("x", new IOException("wrapped", refusal)), BOB);

        assertThat(e).isSameAs(refusal);
    }

    @Test
    void aBugInsideTheMailLibraryIsInternal() {
        MailAccessException e = MailFailures.classify(new MessagingException("x", new NullPointerException()), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.INTERNAL);
    }

    @Test
    void anythingElseTheServerSaysIsAProtocolError() {
        MailAccessException e = MailFailures.classify(new MessagingException("BAD command unknown"), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR);
        assertThat(e.getMessage()).isEqualTo("unexpected answer from imap.example.org:993: BAD command unknown");
    }

    @Test
    void anInterruptionIsCancelled() {
        MailAccessException e = MailFailures.classify(new MessagingException("x", new InterruptedException()), BOB);

        assertThat(e.code()).isEqualTo(FailureCode.CANCELLED);
    }

    @Test
    void aChainThatLoopsIsWalkedOnce() {
        MessagingException a = new MessagingException("a");
        MessagingException b = new MessagingException("b", a);
        a.setNextException(b);

        assertThat(MailFailures.classify(a, BOB).code()).isEqualTo(FailureCode.PROTOCOL_ERROR);
    }
}
