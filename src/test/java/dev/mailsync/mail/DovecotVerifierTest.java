package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import dev.mailsync.testsupport.Dovecot;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The verifier against a real Dovecot: the capabilities the sync engine chooses its strategy from. */
class DovecotVerifierTest {
    private static Dovecot full;
    private static Dovecot condstoreOnly;

    private final MailVerifier verifier = new MailVerifier(
            new MailSessions(new OutboundGuard(true), Duration.ofSeconds(2), Duration.ofSeconds(5), true));

    @BeforeAll
    static void startDovecots() {
        full = Dovecot.start(Dovecot.options().user("bob", "bob-pw"));
        condstoreOnly =
                Dovecot.start(Dovecot.options().user("carol", "carol-pw").qresync(false));
    }

    @AfterAll
    static void stopDovecots() {
        if (full != null) {
            full.close();
        }
        if (condstoreOnly != null) {
            condstoreOnly.close();
        }
    }

    @Test
    void imapAnnouncesCondstoreQresyncAndQuotaAfterLogin() throws Exception {
        VerifyOutcome outcome = verifier.verify(full.imapEndpoint("bob"));

        assertThat(outcome.capabilities())
                .contains("IMAP4REV1", "CONDSTORE", "QRESYNC", "QUOTA", "UIDPLUS", "MOVE", "SPECIAL-USE");
    }

    @Test
    void withQresyncOffImapStillAnnouncesCondstoreButNotQresync() throws Exception {
        VerifyOutcome outcome = verifier.verify(condstoreOnly.imapEndpoint("carol"));

        assertThat(outcome.capabilities()).contains("CONDSTORE", "QUOTA").doesNotContain("QRESYNC");
    }

    @Test
    void pop3LoginReportsUidl() throws Exception {
        VerifyOutcome outcome = verifier.verify(full.pop3Endpoint("bob"));

        assertThat(outcome.protocol()).isEqualTo(Protocol.POP3);
        assertThat(outcome.capabilities()).contains("UIDL", "TOP");
    }

    @Test
    void imapLoginWithAWrongPasswordIsAuthFailed() {
        MailEndpoint wrong =
                new MailEndpoint(Protocol.IMAP, full.host(), full.imapPort(), Security.NONE, "bob", "not-the-password");

        MailAccessException e = verify(wrong);

        assertThat(e.code()).isEqualTo(FailureCode.AUTH_FAILED);
        assertThat(e.getMessage())
                .startsWith("server rejected login for user bob")
                .doesNotContain("not-the-password");
    }

    @Test
    void pop3LoginWithAWrongPasswordIsAuthFailed() {
        MailEndpoint wrong =
                new MailEndpoint(Protocol.POP3, full.host(), full.pop3Port(), Security.NONE, "bob", "not-the-password");

        MailAccessException e = verify(wrong);

        assertThat(e.code()).isEqualTo(FailureCode.AUTH_FAILED);
        assertThat(e.getMessage()).startsWith("server rejected login for user bob");
    }

    @Test
    void starttlsIsRefusedWhenDovecotDoesNotOfferIt() {
        // The harness runs with ssl = no, so Dovecot announces neither STARTTLS nor STLS.
        MailEndpoint imap =
                new MailEndpoint(Protocol.IMAP, full.host(), full.imapPort(), Security.STARTTLS, "bob", "bob-pw");
        MailEndpoint pop3 =
                new MailEndpoint(Protocol.POP3, full.host(), full.pop3Port(), Security.STARTTLS, "bob", "bob-pw");

        assertThat(verify(imap).code()).isEqualTo(FailureCode.TLS_FAILED);
        assertThat(verify(pop3).code()).isEqualTo(FailureCode.TLS_FAILED);
    }

    private MailAccessException verify(MailEndpoint endpoint) {
        try {
            throw new AssertionError("expected a failure, got " + verifier.verify(endpoint));
        } catch (MailAccessException e) {
            return e;
        }
    }
}
