package dev.mailsync.jobs.pop3;

import static dev.mailsync.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.OutboundGuard;
import dev.mailsync.mail.pop3.Pop3Client;
import dev.mailsync.support.Api;
import dev.mailsync.support.Sync;
import dev.mailsync.sync.Pop3Planner;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import dev.mailsync.testsupport.TestMessages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The stored copies a POP3 download writes (binary COPY of the bodies and mirror rows, in batches of 100,
 * a large message streamed from its spool file) are byte for byte what RETR served, with their
 * summaries, across several batches and with a message larger than the in-memory limit.
 */
@QuarkusTest
class GreenMailPop3StoredCopyTest extends Pop3FlowContractSupport {
    private static final String PASSWORD = "Pop3-pass-word!";
    private static final int SMALL = 130;

    @RegisterExtension
    static final GreenMailExtension greenMail = new GreenMailExtension(
                    ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP))
            .withPerMethodLifecycle(false);

    @Test
    void everyMessageIsStoredByteForByteWithItsSummaryAcrossBatchesAndALargeSpooledOne() throws Exception {
        String user = "copy" + System.nanoTime() % 100000;
        GreenMailUser u = greenMail.setUser(user + "@example.test", user, PASSWORD);
        byte[] big = new byte[1_500_000]; // beyond the in-memory spool limit and the 1 MB read page
        new SplittableRandom(3).nextBytes(big);
        deliver(
                u,
                TestMessages.builder()
                        .subject("Large")
                        .from("Ann Example <ann@example.org>")
                        .text("See the attachment.")
                        .attachment("big.bin", "application/octet-stream", big)
                        .build());
        for (int i = 0; i < SMALL; i++) {
            deliver(
                    u,
                    TestMessages.builder()
                            .subject("Small " + i + " ünïcødé")
                            .from("Bob <bob@example.org>")
                            .text("Line one of " + i + "\r\n.\r\n..a dot\r\n\tTabbed   text")
                            .build());
        }
        String account = account("127.0.0.1", greenMail.getPop3().getPort(), user, PASSWORD, "KEEP", null);
        String device = Api.createDevice(subject, account, "phone");
        JsonPath job = sync(account, device);
        assertThat(job.getInt("pop3.downloaded")).isEqualTo(SMALL + 1);

        List<Map<?, ?>> created = created(account, device);
        assertThat(created).hasSize(SMALL + 1);
        List<String> stored = new ArrayList<>();
        for (Map<?, ?> m : created) {
            byte[] raw = as(subject)
                    .get("/v1/accounts/{a}/messages/{m}/raw", account, m.get("id"))
                    .then()
                    .statusCode(200)
                    .extract()
                    .asByteArray();
            assertThat(((Number) m.get("size")).longValue()).isEqualTo(raw.length);
            stored.add(sha256(raw));
            if ("Large".equals(m.get("subject"))) {
                assertThat(m.get("hasAttachments")).isEqualTo(true);
                assertThat(raw.length).isGreaterThan(big.length);
                assertThat(m.get("from").toString()).contains("Ann Example").contains("ann@example.org");
            } else {
                assertThat((String) m.get("subject")).startsWith("Small ").endsWith(" ünïcødé");
                assertThat(m.get("hasAttachments")).isEqualTo(false);
                assertThat((String) m.get("preview")).startsWith("Line one of ").endsWith(". ..a dot Tabbed text");
            }
        }
        assertThat(stored).containsExactlyInAnyOrderElementsOf(served(user));
        assertThat(sync(account, device).getInt("pop3.downloaded")).isZero();
    }

    private static void deliver(GreenMailUser u, byte[] rfc822) throws Exception {
        u.deliver(new MimeMessage(null, new ByteArrayInputStream(rfc822)));
    }

    private List<Map<?, ?>> created(String account, String device) {
        List<Map<?, ?>> out = new ArrayList<>();
        String state = null;
        while (true) {
            JsonPath page = Sync.changes(subject, account, device, state, 100);
            for (Map<?, ?> m : page.getList("messages.created", Map.class)) {
                out.add(m);
            }
            state = page.getString("newState");
            if (!page.getBoolean("hasMore")) {
                return out;
            }
        }
    }

    /** What the server serves for each message (RETR), as digests. */
    private static List<String> served(String user) throws Exception {
        MailSessions sessions =
                new MailSessions(new OutboundGuard(true), Duration.ofSeconds(10), Duration.ofSeconds(30), true);
        MailEndpoint endpoint = new MailEndpoint(
                Protocol.POP3, "127.0.0.1", greenMail.getPop3().getPort(), Security.NONE, user, PASSWORD);
        List<String> out = new ArrayList<>();
        try (Pop3Client pop3 = Pop3Client.open(sessions, endpoint)) {
            for (Pop3Planner.Listed l : pop3.listing()) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                pop3.retrieve(l.number(), bytes, Long.MAX_VALUE);
                out.add(sha256(bytes.toByteArray()));
            }
            pop3.quit();
        }
        return out;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
