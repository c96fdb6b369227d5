package dev.mailsync.mail.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.MessageSummary;
import dev.mailsync.testsupport.TestMessages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pop3MessagesTest {
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void summaryOfADownloadedMessageHasEnvelopePreviewAndAttachments() throws Exception {
        byte[] raw = TestMessages.builder()
                .subject("Quarterly report")
                .from("Carol <carol@example.org>")
                .text("Numbers   are\r\n  up.")
                .attachment("report.pdf", "application/pdf", new byte[] {1, 2, 3})
                .build();
        Path file = Files.write(dir.resolve("m.eml"), raw);
        MessageSummary s = Pop3Messages.summary(file, raw.length, NOW);
        assertThat(s.subject()).isEqualTo("Quarterly report");
        assertThat(s.from())
                .singleElement()
                .satisfies(a -> assertThat(a.email()).isEqualTo("carol@example.org"));
        assertThat(s.preview()).isEqualTo("Numbers are up.");
        assertThat(s.hasAttachments()).isTrue();
        assertThat(s.size()).isEqualTo(raw.length);
        assertThat(s.internalDate())
                .as("POP3 has no arrival date: the download time")
                .isEqualTo(NOW);

        var content = Pop3Messages.content(new ByteArrayInputStream(raw));
        assertThat(content.attachments()).singleElement().satisfies(a -> {
            assertThat(a.fileName()).isEqualTo("report.pdf");
            assertThat(a.partId()).isEqualTo("2");
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Pop3Messages.writeAttachment(new ByteArrayInputStream(raw), "2", out))
                .isTrue();
        assertThat(out.toByteArray()).containsExactly(1, 2, 3);
        assertThat(Pop3Messages.writeAttachment(new ByteArrayInputStream(raw), "9", new ByteArrayOutputStream()))
                .isFalse();
    }

    @Test
    void aMalformedMessageStillGetsASummaryAndKeepsItsSize() throws Exception {
        byte[] raw = "\u0000\u0001garbage without headers\r\n=?bad?=\r\nContent-Type: multipart/mixed; boundary=\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("bad.eml"), raw);
        MessageSummary s = Pop3Messages.summary(file, raw.length, NOW);
        assertThat(s.size()).isEqualTo(raw.length);
        assertThat(s.internalDate()).isEqualTo(NOW);
    }
}
