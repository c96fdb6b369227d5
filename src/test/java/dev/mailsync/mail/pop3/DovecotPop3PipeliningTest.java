package dev.mailsync.mail.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.OutboundGuard;
import dev.mailsync.sync.Pop3Planner;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.TestMessages;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pipelined RETR against a real Dovecot, which offers PIPELINING (RFC 2449): every message comes back
 * byte for byte as without pipelining and as it was delivered — dot-stuffed lines, a message larger than
 * the client's read buffer — and a session that stops before the last announced RETR stays in step for
 * DELE and QUIT.
 */
class DovecotPop3PipeliningTest {
    private static final String USER = "pipeline";
    private static final String PASSWORD = "Pipelining-pw-1!";
    private static final int MESSAGES = 40;
    private static final MailSessions SESSIONS =
            new MailSessions(new OutboundGuard(true), Duration.ofSeconds(5), Duration.ofSeconds(10), true);

    private static Dovecot dovecot;
    private static final List<byte[]> delivered = new ArrayList<>();

    @BeforeAll
    static void startDovecot() {
        dovecot = Dovecot.start(Dovecot.options().user(USER, PASSWORD));
        for (int i = 1; i <= MESSAGES; i++) {
            String text = i == 7
                    ? "large\r\n" + ("0123456789abcdef".repeat(8) + "\r\n").repeat(3000) // ~400 KB
                    : "Message " + i + "\r\n.a line that starts with a dot\r\n..and two\r\n.\r\nafter a lone dot\r\n";
            byte[] message =
                    TestMessages.builder().subject("Pipelined " + i).text(text).build();
            dovecot.appendMessage(USER, "INBOX", message);
            delivered.add(message);
        }
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Test
    void pipelinedRetrsBringEveryMessageBackAsDeliveredAndAsWithoutPipelining() throws Exception {
        List<byte[]> pipelined;
        try (Pop3Client pop3 = Pop3Client.open(SESSIONS, dovecot.pop3Endpoint(USER))) {
            assertThat(pop3.capabilities()).contains("PIPELINING");
            pipelined = retrieveAll(pop3, true);
            pop3.quit();
        }
        List<byte[]> oneByOne;
        try (Pop3Client pop3 = Pop3Client.open(SESSIONS, dovecot.pop3Endpoint(USER))) {
            oneByOne = retrieveAll(pop3, false);
            pop3.quit();
        }
        // The other test may have deleted the last message first.
        assertThat(pipelined).hasSameSizeAs(delivered);
        for (int i = 0; i < delivered.size(); i++) {
            assertThat(pipelined.get(i)).as("message %d", i + 1).isEqualTo(oneByOne.get(i));
            assertThat(pipelined.get(i)).as("message %d as delivered", i + 1).isEqualTo(delivered.get(i));
        }
    }

    @Test
    void aSessionThatStopsBeforeTheLastAnnouncedRetrStaysInStep() throws Exception {
        int last;
        try (Pop3Client pop3 = Pop3Client.open(SESSIONS, dovecot.pop3Endpoint(USER))) {
            List<Pop3Planner.Listed> listing = pop3.listing();
            last = listing.size();
            pop3.willRetrieve(listing.stream().map(Pop3Planner.Listed::number).toList());
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            pop3.retrieve(listing.get(0).number(), first, Long.MAX_VALUE);
            assertThat(first.toByteArray()).isEqualTo(delivered.get(0));
            // Up to 16 answers are on their way; STAT, DELE and QUIT must each get their own.
            assertThat(pop3.stat().count()).isEqualTo(last);
            pop3.delete(last);
            pop3.quit();
        }
        try (Pop3Client pop3 = Pop3Client.open(SESSIONS, dovecot.pop3Endpoint(USER))) {
            assertThat(pop3.stat().count()).as("the DELE counted after QUIT").isEqualTo(last - 1);
            pop3.quit();
        }
        delivered.remove(last - 1);
    }

    private static List<byte[]> retrieveAll(Pop3Client pop3, boolean pipelined) throws Exception {
        List<Pop3Planner.Listed> listing = pop3.listing();
        if (pipelined) {
            pop3.willRetrieve(listing.stream().map(Pop3Planner.Listed::number).toList());
        }
        List<byte[]> messages = new ArrayList<>();
        for (Pop3Planner.Listed l : listing) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long n = pop3.retrieve(l.number(), out, Long.MAX_VALUE);
            assertThat(n).isEqualTo(out.size());
            messages.add(out.toByteArray());
        }
        return messages;
    }
}
