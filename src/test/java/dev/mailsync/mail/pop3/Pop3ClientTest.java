package dev.mailsync.mail.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.OutboundGuard;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Pop3Planner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class Pop3ClientTest {
    private static final MailSessions SESSIONS =
            new MailSessions(new OutboundGuard(true), Duration.ofSeconds(2), Duration.ofSeconds(2), true);

    /** A well-behaved server, with this answer for the command (or the default). */
    private static Function<String, String> server(Function<String, String> special) {
        return cmd -> {
            String answer = special.apply(cmd);
            if (answer != null) {
                return answer;
            }
            if (cmd.equals("CAPA")) {
                return "+OK\nUSER\nUIDL\n.\n";
            }
            if (cmd.startsWith("USER") || cmd.startsWith("PASS") || cmd.startsWith("DELE") || cmd.equals("QUIT")) {
                return "+OK\n";
            }
            if (cmd.equals("STAT")) {
                return "+OK 2 300\n";
            }
            if (cmd.equals("UIDL")) {
                return "+OK\n1 aaa\n2 bbb\n.\n";
            }
            if (cmd.equals("LIST")) {
                return "+OK\n1 100\n2 200\n.\n";
            }
            return "-ERR unknown\n";
        };
    }

    @Test
    void listingJoinsUidlAndListByMessageNumber() throws Exception {
        try (FakePop3Server fake = new FakePop3Server(server(c -> null));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            assertThat(pop3.stat()).isEqualTo(new Pop3Client.Stat(2, 300));
            assertThat(pop3.listing())
                    .containsExactly(new Pop3Planner.Listed(1, "aaa", 100), new Pop3Planner.Listed(2, "bbb", 200));
            assertThat(pop3.capabilities()).contains("UIDL");
        }
    }

    @Test
    void serverWithoutUidlIsAProtocolErrorSayingSo() throws Exception {
        try (FakePop3Server fake = new FakePop3Server(server(c -> switch (c) {
                    case "CAPA" -> "+OK\nUSER\n.\n";
                    case "UIDL" -> "-ERR command not recognized\n";
                    default -> null;
                }));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            assertThatThrownBy(pop3::listing)
                    .isInstanceOfSatisfying(
                            MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR))
                    .hasMessageContaining("does not support UIDL")
                    .hasMessageContaining("CAPA lacks UIDL");
        }
    }

    @Test
    void lockedMaildropIsARetryableErrorNamingTheLock() throws Exception {
        try (FakePop3Server fake = new FakePop3Server(server(
                c -> c.startsWith("PASS") ? "-ERR [IN-USE] Mailbox is locked by another POP3 session\n" : null))) {
            assertThatThrownBy(() -> Pop3Client.open(SESSIONS, fake.endpoint()))
                    .isInstanceOfSatisfying(MailAccessException.class, e -> {
                        assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR);
                        assertThat(e.code().retryable()).isTrue();
                    })
                    .hasMessageContaining("[IN-USE]")
                    .hasMessageNotContaining("pw-secret");
        }
    }

    @Test
    void refusedPasswordIsAuthFailedWithoutThePassword() throws Exception {
        try (FakePop3Server fake =
                new FakePop3Server(server(c -> c.startsWith("PASS") ? "-ERR [AUTH] Authentication failed.\n" : null))) {
            assertThatThrownBy(() -> Pop3Client.open(SESSIONS, fake.endpoint()))
                    .isInstanceOfSatisfying(
                            MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.AUTH_FAILED))
                    .hasMessageNotContaining("pw-secret");
        }
    }

    @Test
    void retrUndoesDotStuffingAndStopsAtTheTerminator() throws Exception {
        String body = "Subject: dots\n\n..leading dot\n...two\n.\n";
        try (FakePop3Server fake = new FakePop3Server(server(c -> c.equals("RETR 1") ? "+OK\n" + body : null));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long n = pop3.retrieve(1, out, 1_000);
            String got = out.toString(StandardCharsets.ISO_8859_1);
            assertThat(got).isEqualTo("Subject: dots\r\n\r\n.leading dot\r\n..two\r\n");
            assertThat(n).isEqualTo(got.length());
            assertThat(pop3.stat().count()).as("the session goes on").isEqualTo(2);
        }
    }

    /** The well-behaved server, offering PIPELINING in CAPA. */
    private static Function<String, String> pipelining(Function<String, String> special) {
        return server(c -> c.equals("CAPA") ? "+OK\nUSER\nUIDL\nPIPELINING\n.\n" : special.apply(c));
    }

    private static String retr(int n) {
        return "+OK\nSubject: m" + n + "\n\nbody " + n + "\n.\n";
    }

    @Test
    void withPipeliningAnnouncedRetrsAreSentBeforeTheFirstAnswerIsRead() throws Exception {
        // This server answers nothing until it has all three RETRs: a client that waits for each answer
        // before the next command times out here.
        Function<String, String> script = pipelining(c -> switch (c) {
            case "RETR 1", "RETR 2" -> "";
            case "RETR 3" -> retr(1) + retr(2) + retr(3);
            default -> null;
        });
        try (FakePop3Server fake = new FakePop3Server(script);
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            pop3.willRetrieve(List.of(1, 2, 3));
            for (int n = 1; n <= 3; n++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                pop3.retrieve(n, out, 1_000);
                assertThat(out.toString(StandardCharsets.US_ASCII))
                        .isEqualTo("Subject: m" + n + "\r\n\r\nbody " + n + "\r\n");
            }
            assertThat(pop3.stat().count()).as("the session goes on").isEqualTo(2);
            assertThat(fake.commands()).containsSubsequence("RETR 1", "RETR 2", "RETR 3", "STAT");
        }
    }

    @Test
    void withoutPipeliningEachRetrWaitsForTheAnswerBefore() throws Exception {
        try (FakePop3Server fake =
                        new FakePop3Server(server(c -> c.startsWith("RETR ") ? retr(c.charAt(5) - '0') : null));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            pop3.willRetrieve(List.of(1, 2));
            pop3.retrieve(1, new ByteArrayOutputStream(), 1_000);
            assertThat(fake.commands()).contains("RETR 1").doesNotContain("RETR 2");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pop3.retrieve(2, out, 1_000);
            assertThat(out.toString(StandardCharsets.US_ASCII)).contains("body 2");
        }
    }

    @Test
    void anErrAnswerInAPipelineFailsThatRetrAndTheSessionStaysInStep() throws Exception {
        Function<String, String> script = pipelining(c -> switch (c) {
            case "RETR 1", "RETR 3", "RETR 4" -> retr(c.charAt(5) - '0');
            case "RETR 2" -> "-ERR no such message\n";
            default -> null;
        });
        try (FakePop3Server fake = new FakePop3Server(script);
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            pop3.willRetrieve(List.of(1, 2, 3, 4));
            pop3.retrieve(1, new ByteArrayOutputStream(), 1_000);
            assertThatThrownBy(() -> pop3.retrieve(2, new ByteArrayOutputStream(), 1_000))
                    .isInstanceOfSatisfying(
                            MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR));
            // The caller stops here: the answers to RETR 3 and 4, already on their way, are read and dropped
            // before the next command, whose answer is then its own.
            assertThat(pop3.stat()).isEqualTo(new Pop3Client.Stat(2, 300));
            pop3.delete(1);
            assertThat(fake.commands()).containsSubsequence("RETR 3", "RETR 4", "STAT", "DELE 1");
        }
    }

    /** "bob" / "pw-secret" (the fake's endpoint) as AUTH PLAIN sends them: authzid empty. */
    private static final String PLAIN_CREDENTIALS =
            java.util.Base64.getEncoder().encodeToString("\0bob\0pw-secret".getBytes(StandardCharsets.UTF_8));

    /** A server that turned USER off and offers SASL PLAIN; it accepts {@code accepted} credentials. */
    private static Function<String, String> saslOnly(String accepted) {
        return server(c -> switch (c) {
            case "CAPA" -> "+OK\nSASL PLAIN LOGIN\nUIDL\n.\n";
            case "AUTH PLAIN" -> "+ \n";
            case "USER bob" -> "-ERR USER is disabled\n";
            default ->
                c.equals(PLAIN_CREDENTIALS)
                        ? (c.equals(accepted) ? "+OK logged in\n" : "-ERR [AUTH] Authentication failed.\n")
                        : null;
        });
    }

    @Test
    void aServerWithoutUserButWithSaslPlainIsLoggedInWithAuthPlain() throws Exception {
        try (FakePop3Server fake = new FakePop3Server(saslOnly(PLAIN_CREDENTIALS));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            assertThat(pop3.stat().count()).isEqualTo(2);
            assertThat(fake.commands()).containsSubsequence("CAPA", "AUTH PLAIN", PLAIN_CREDENTIALS, "STAT");
            assertThat(fake.commands()).noneMatch(c -> c.startsWith("USER") || c.startsWith("PASS"));
        }
    }

    @Test
    void aRefusedAuthPlainIsAuthFailedWithoutTheCredentials() throws Exception {
        try (FakePop3Server fake = new FakePop3Server(saslOnly("something else"))) {
            assertThatThrownBy(() -> Pop3Client.open(SESSIONS, fake.endpoint()))
                    .isInstanceOfSatisfying(MailAccessException.class, e -> {
                        assertThat(e.code()).isEqualTo(FailureCode.AUTH_FAILED);
                        assertThat(e.getMessage()).doesNotContain("pw-secret").doesNotContain(PLAIN_CREDENTIALS);
                    });
        }
    }

    @Test
    void aServerOfferingUserIsLoggedInWithUserPassEvenWithSasl() throws Exception {
        try (FakePop3Server fake =
                        new FakePop3Server(server(c -> c.equals("CAPA") ? "+OK\nUSER\nSASL PLAIN\nUIDL\n.\n" : null));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            assertThat(pop3.stat().count()).isEqualTo(2);
            assertThat(fake.commands()).contains("USER bob", "PASS pw-secret").doesNotContain("AUTH PLAIN");
        }
    }

    @Test
    void tooLargeBodyIsReadToItsEndAndReportedNotStored() throws Exception {
        String body = "Subject: big\n\n" + "x".repeat(500) + "\n.\n";
        try (FakePop3Server fake = new FakePop3Server(server(c -> c.equals("RETR 1") ? "+OK\n" + body : null));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            assertThat(pop3.retrieve(1, new ByteArrayOutputStream(), 100)).isEqualTo(-1);
            assertThat(pop3.stat().count()).isEqualTo(2);
        }
    }

    @Test
    void quitWithoutAnswerIsAFailureNotASuccess() throws Exception {
        try (FakePop3Server fake = new FakePop3Server(
                        cmd -> cmd.equals("QUIT") ? null : server(c -> null).apply(cmd));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            pop3.delete(1);
            assertThatThrownBy(pop3::quit).isInstanceOf(MailAccessException.class);
        }
    }

    @Test
    void connectionDroppedDuringRetrIsAFailureNotAShortMessage() throws Exception {
        try (FakePop3Server fake =
                        new FakePop3Server(server(c -> c.equals("RETR 1") ? "+OK\nSubject: cut\n\nhalf a bo" : null));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            // The fake answers, then waits for the next command; the read timeout ends the RETR.
            assertThatThrownBy(() -> pop3.retrieve(1, new ByteArrayOutputStream(), 1_000))
                    .isInstanceOfSatisfying(
                            MailAccessException.class,
                            e -> assertThat(e.code().retryable()).isTrue());
        }
        try (FakePop3Server fake = new FakePop3Server(
                        cmd -> cmd.equals("RETR 1") ? null : server(c -> null).apply(cmd));
                Pop3Client pop3 = Pop3Client.open(SESSIONS, fake.endpoint())) {
            assertThatThrownBy(() -> pop3.retrieve(1, new ByteArrayOutputStream(), 1_000))
                    .isInstanceOfSatisfying(
                            MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.PROTOCOL_ERROR));
        }
    }

    @Test
    void bodySplitAcrossReadsAtEveryByteIsCopiedExactly() throws IOException {
        String wire = "a\r\n..b\r\nc\rd\r\n\r\n.x\r\n.\r\nNEXT\r\n";
        InputStream oneByteAtATime = new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(1, len));
            }
        };
        Pop3Client.LineInput in = new Pop3Client.LineInput(oneByteAtATime);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = in.copyDotTerminated(out, 1_000);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo("a\r\n.b\r\nc\rd\r\n\r\nx\r\n");
        assertThat(n).isEqualTo(out.size());
        assertThat(new String(in.readLine(100), StandardCharsets.ISO_8859_1)).isEqualTo("NEXT");
    }
}
