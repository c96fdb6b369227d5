package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.sync.MessageFlags;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.testsupport.BenchMessages;
import dev.mailsync.testsupport.TestMessages;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The same UIDs fetched with Angus parsing the responses (the path before {@link FetchParser}) and with
 * {@link FetchParser}: the summaries must be equal, over generated mail and hand-written odd messages.
 * Subclasses provide the server.
 */
abstract class SummaryParsingDifferential {
    abstract MailEndpoint endpoint();

    /** A folder of its own, filled with the corpus; returns its name. */
    String fill(String folder, List<byte[]> messages, List<Flags> flags) throws Exception {
        MailEndpoint e = endpoint();
        Properties props = new Properties();
        Session session = Session.getInstance(props);
        Store store = session.getStore("imap");
        store.connect(e.host(), e.port(), e.username(), e.password());
        try {
            Folder f = store.getFolder(folder);
            if (!f.exists()) {
                f.create(Folder.HOLDS_MESSAGES);
            }
            List<Message> batch = new ArrayList<>();
            for (int n = 0; n < messages.size(); n++) {
                MimeMessage m = new MimeMessage(session, new ByteArrayInputStream(messages.get(n)));
                m.setFlags(flags.get(n), true);
                batch.add(m);
            }
            f.appendMessages(batch.toArray(Message[]::new));
        } finally {
            store.close();
        }
        return folder;
    }

    static List<byte[]> corpus() {
        List<byte[]> out = new ArrayList<>();
        Instant now = Instant.parse("2026-11-27T06:00:00Z");
        for (int n = 0; n < 300; n++) {
            out.add(BenchMessages.message("bob", n, 300, now).crlf());
        }
        out.add(TestMessages.simple("plain and simple"));
        out.add(TestMessages.builder()
                .subject("Grüße aus Köln – ✓")
                .text("Ümlaut body")
                .build());
        out.add(TestMessages.builder()
                .subject("with attachments")
                .attachment("report.pdf", "application/pdf", new byte[] {1, 2, 3})
                .attachment("Bild ä.png", "image/png", new byte[] {4, 5})
                .build());
        out.add(TestMessages.builder()
                .subject("html too")
                .html("<p>Hello <b>there</b></p>")
                .build());
        out.add(TestMessages.builder()
                .from("\"Doe, Jane\" <jane@example.org>")
                .to("a@example.org", "\"B \\\"quoted\\\"\" <b@example.org>")
                .subject("quotes \" and \\ backslashes")
                .build());
        out.add(ImapConnectionContract.richMessage("<rich-1@example.org>"));
        out.add(raw("From: Jürgen Müller <juergen@example.de>\r\nTo: Åsa <asa@example.se>\r\n"
                + "Subject: raw UTF-8 Grüße\r\nDate: Thu, 02 May 2024 08:00:00 +0000\r\n"
                + "Message-ID: <raw8@example.de>\r\n\r\nbody\r\n"));
        out.add(latin1("From: =?ISO-8859-1?Q?J=FCrgen?= <j@example.de>\r\nTo: x@example.de\r\n"
                + "Subject: raw Latin-1 Gr\u00fc\u00dfe\r\nDate: garbage date\r\n\r\nbody\r\n"));
        out.add(raw("From: not an address@@example..org\r\nTo: team: a@example.org, \"B\" <b@example.org>;,"
                + " undisclosed-recipients:;\r\nCc: <>\r\nSubject: =?UTF-8?B?broken\r\n"
                + "Message-ID: <broken@example.org>\r\n\r\nbody\r\n"));
        out.add(raw("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: a folded\r\n  subject with\r\n"
                + "\ttabs and (parens) {7} ~{3}\r\nIn-Reply-To: <p@example.org>\r\nDate: Wed, 1 May 2024 10:00:00"
                + " +0200 (CEST)\r\n\r\nbody\r\n"));
        out.add(raw("From: =?UTF-8?Q?Alice_=C3=84mm=C3=A4?= <alice@example.org>\r\nSubject: \r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>only html</p>\r\n"));
        out.add(raw("From: a@example.org\r\nSubject: forwarded\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nsee"
                + " below\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: inner@example.org\r\nSubject: inner\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n--i\r\n"
                + "Content-Type: text/plain; charset=iso-8859-1\r\n\r\ninner text\r\n--i\r\nContent-Type: text/html\r\n"
                + "\r\n<p>inner</p>\r\n--i--\r\n--o\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment; filename*=UTF-8''%C3%A4rger.bin\r\n\r\nxyz\r\n--o--\r\n"));
        out.add(raw("Subject: no from, no date\r\n\r\nx\r\n"));
        return out;
    }

    static List<Flags> flags(int count) {
        List<Flags> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            Flags f = new Flags();
            if (n % 4 != 0) {
                f.add(Flags.Flag.SEEN);
            }
            if (n % 10 == 1) {
                f.add(Flags.Flag.ANSWERED);
            }
            if (n % 20 == 2) {
                f.add(Flags.Flag.FLAGGED);
            }
            if (n % 7 == 3) {
                f.add("$Forwarded");
            }
            if (n % 11 == 4) {
                f.add("project-x");
                f.add(Flags.Flag.DRAFT);
            }
            out.add(f);
        }
        return out;
    }

    private static byte[] raw(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void fetchParserGivesTheSameSummariesAsAngus() throws Exception {
        List<byte[]> corpus = corpus();
        String folder = fill("diff" + System.nanoTime() % 100_000, corpus, flags(corpus.size()));
        try (ImapConnection c = ImapConnection.open(ImapConnectionContract.SESSIONS, endpoint())) {
            List<Long> uids = c.scanFolder(folder).messages().stream()
                    .map(MessageFlags::uid)
                    .toList();
            assertThat(uids).hasSize(corpus.size());

            c.parseSummariesWithAngus(true);
            List<MessageSummary> angus = new ArrayList<>();
            c.fetchSummaries(folder, uids, 97, angus::addAll);
            c.parseSummariesWithAngus(false);
            List<MessageSummary> parsed = new ArrayList<>();
            c.fetchSummaries(folder, uids, 97, parsed::addAll);
            // and Angus again after ours, on the same connection: its state is intact
            c.parseSummariesWithAngus(true);
            List<MessageSummary> angusAgain = new ArrayList<>();
            c.fetchSummaries(folder, uids, 500, angusAgain::addAll);

            assertThat(angus).hasSize(corpus.size());
            for (int n = 0; n < angus.size(); n++) {
                assertThat(parsed.get(n)).as("UID %d", angus.get(n).uid()).isEqualTo(angus.get(n));
            }
            assertThat(parsed).isEqualTo(angus).isEqualTo(angusAgain);
            // the corpus is varied: attachments, no subject, addresses with names, degraded ones
            assertThat(parsed).anyMatch(MessageSummary::hasAttachments);
            assertThat(parsed).anyMatch(s -> s.subject() == null);
            assertThat(parsed).anyMatch(s -> s.from().stream().anyMatch(a -> a.name() != null));
            assertThat(parsed).anyMatch(s -> s.preview() != null);
            assertThat(parsed).anyMatch(s -> s.flags().contains("$Forwarded"));
        }
    }
}
