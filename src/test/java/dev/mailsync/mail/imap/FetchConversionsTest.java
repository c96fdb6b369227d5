package dev.mailsync.mail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class FetchConversionsTest {

    @Test
    void uidSetsJoinOnlyContiguousRunsAndNeverUseAStar() {
        assertThat(FetchConversions.uidSet(List.of(3L, 4L, 5L, 9L, 11L, 12L))).isEqualTo("3:5,9,11:12");
        assertThat(FetchConversions.uidSet(List.of(7L))).isEqualTo("7");
    }

    @Test
    void flagsKeepSystemFlagsWithBackslashAndKeywordsButNotRecent() {
        Flags flags = new Flags();
        flags.add(Flags.Flag.SEEN);
        flags.add(Flags.Flag.RECENT);
        flags.add(Flags.Flag.DRAFT);
        flags.add("$Forwarded");

        assertThat(FetchConversions.flags(flags)).containsExactlyInAnyOrder("\\Seen", "\\Draft", "$Forwarded");
    }

    @Test
    void headersAreDecodedFromEncodedWordsAndFromRawUtf8() {
        assertThat(FetchConversions.decodeHeader("=?UTF-8?Q?K=C3=B6ln?= calling"))
                .isEqualTo("Köln calling");
        String rawUtf8AsAngusReadsIt =
                new String("Grüße".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(FetchConversions.decodeHeader(rawUtf8AsAngusReadsIt)).isEqualTo("Grüße");
        assertThat(FetchConversions.decodeHeader("caf\u00e9 latin-1")).isEqualTo("caf\u00e9 latin-1");
    }

    @Test
    void aBase64PrefixCutInTheMiddleOfAGroupStillDecodes() {
        String encoded =
                Base64.getMimeEncoder().encodeToString("Hallo Welt, schöne Grüße".getBytes(StandardCharsets.UTF_8));
        byte[] cut = encoded.substring(0, 22).getBytes(StandardCharsets.US_ASCII);

        assertThat(FetchConversions.previewFromPrefix(cut, "base64", "utf-8")).isEqualTo("Hallo Welt, sch");
    }

    @Test
    void aQuotedPrintablePrefixCutInAnEscapeDropsTheHalfEscape() {
        byte[] cut = "Gr=C3=BC=C3=9Fe aus=\r\n K=C3".getBytes(StandardCharsets.US_ASCII);

        assertThat(FetchConversions.previewFromPrefix(cut, "quoted-printable", "UTF-8"))
                .isEqualTo("Grüße aus K");
    }

    @Test
    void previewsAreOneLineAndAtMostTwoHundredCharacters() {
        String text = "line one\r\n\r\n\tline two " + "x".repeat(300);

        String preview = FetchConversions.normalizePreview(text);

        assertThat(preview).startsWith("line one line two x").hasSize(200);
        assertThat(FetchConversions.normalizePreview(" \r\n ")).isNull();
    }
}
