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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pop3MessagesTest {
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void headersInRawUtf8AreReadAsUtf8() throws Exception {
        byte[] raw = ("From: Ann \u00c4rger <ann@example.org>\r\nTo: J\u00fcrgen <j@example.org>\r\n"
                        + "Subject: Gr\u00fc\u00dfe aus K\u00f6ln\r\nMessage-ID: <u8@example.org>\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\n\r\nSch\u00f6ne Gr\u00fc\u00dfe\r\n")
                .getBytes(StandardCharsets.UTF_8);
        MessageSummary s = Pop3Messages.summary(raw, NOW);
        assertThat(s.subject()).isEqualTo("Gr\u00fc\u00dfe aus K\u00f6ln");
        assertThat(s.from()).singleElement().satisfies(a -> assertThat(a.name()).isEqualTo("Ann \u00c4rger"));
        assertThat(s.to()).singleElement().satisfies(a -> assertThat(a.name()).isEqualTo("J\u00fcrgen"));
        assertThat(s.preview()).isEqualTo("Sch\u00f6ne Gr\u00fc\u00dfe");
        assertThat(Pop3Messages.content(new ByteArrayInputStream(raw)).subject())
                .isEqualTo("Gr\u00fc\u00dfe aus K\u00f6ln");
    }

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

    @Test
    void thePreviewIsTheTextsStartOnOneLineAsWithARegexOverTheWholeText() {
        assertThat(Pop3Messages.preview(" \t\r\n Hello,\r\n\r\n  world\u0001\u007f! \n"))
                .isEqualTo("Hello, world !");
        assertThat(Pop3Messages.preview(" \r\n\u3000 ")).isNull();
        // The loop stops after the first 200 characters; it must agree with the whole-text regex.
        String[] alphabet = {
            " ",
            "\t",
            "\r\n",
            "\u0001",
            "\u007f",
            "\u001c",
            "\u3000",
            "\u2003",
            "\u00a0",
            "a",
            "\u00e9",
            "\ud83d\ude00",
            "xyz"
        };
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 3000; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(700);
            int whiteBias = random.nextInt(10);
            while (text.length() < length) {
                text.append(
                        random.nextInt(10) < whiteBias
                                ? alphabet[random.nextInt(9)]
                                : alphabet[random.nextInt(alphabet.length)]);
            }
            String t = text.toString();
            assertThat(Pop3Messages.preview(t)).as("preview of %s", t).isEqualTo(regexPreview(t));
        }
    }

    /** The preview as it was defined first: a regex over the whole text. */
    private static String regexPreview(String text) {
        String oneLine = text.replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
        if (oneLine.isEmpty()) {
            return null;
        }
        if (oneLine.length() > 200) {
            int end = 200;
            if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
                end--;
            }
            oneLine = oneLine.substring(0, end).stripTrailing();
        }
        return oneLine;
    }
}
