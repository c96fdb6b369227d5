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

        String preview = dev.mailsync.mail.Previews.normalize(text);

        assertThat(preview).startsWith("line one line two x").hasSize(200);
        assertThat(dev.mailsync.mail.Previews.normalize(" \r\n ")).isNull();
    }

    /**
     * The start of a text/plain part gets the preview every protocol gets ({@code Previews}, tested there):
     * white space that is not a blank, stripped at the start, does not use up its 200 characters (IMAP's
     * own folding loop counted the two U+3000 and gave 199 characters here).
     */
    @Test
    void previewsFromTheStartOfTheTextPartAreTheCommonPreviews() {
        String text = "\r\n\u3000\u3000Gr\u00fc\u00dfe aus K\u00f6ln,\r\n\r\n" + "weiter ".repeat(300);
        byte[] start = java.util.Arrays.copyOf(text.getBytes(StandardCharsets.UTF_8), 2048);

        String preview = FetchConversions.previewFromPrefix(start, null, "utf-8");

        assertThat(preview).isEqualTo(("Gr\u00fc\u00dfe aus K\u00f6ln, " + "weiter ".repeat(30)).substring(0, 200));
    }

    @Test
    void displayNamesAreDecodedFromTheNameAsSent() throws Exception {
        assertThat(FetchConversions.readsNameAsSent()).isTrue();
        for (String address : List.of(
                "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.com>",
                "=?ISO-8859-1?B?RnJhbefvaXM=?= <f@example.com>",
                "\"Plain, Name\" <p@example.com>",
                "=?UTF-8?B?0JjQstCw0L0=?= =?UTF-8?B?INCf0LXRgtGA0L7Qsg==?= <ip@example.com>")) {
            jakarta.mail.internet.InternetAddress parsed = new jakarta.mail.internet.InternetAddress(address);
            String expected = new jakarta.mail.internet.InternetAddress(address).getPersonal();
            assertThat(FetchConversions.personal(parsed)).as(address).isEqualTo(expected);
        }
        assertThat(FetchConversions.personal(new jakarta.mail.internet.InternetAddress("x@example.com")))
                .isNull();
    }

    @Test
    void utf8CheckAgreesWithTheStrictDecoder() {
        java.util.Random random = new java.util.Random(7);
        byte[] interesting = {
            0x41,
            (byte) 0xC3,
            (byte) 0xA9,
            (byte) 0xE2,
            (byte) 0x82,
            (byte) 0xAC,
            (byte) 0xF0,
            (byte) 0x9F,
            (byte) 0x98,
            (byte) 0x80,
            (byte) 0xC0,
            (byte) 0xED,
            (byte) 0xA0,
            (byte) 0xF5,
            (byte) 0xFF,
            (byte) 0x80
        };
        for (int run = 0; run < 20_000; run++) {
            byte[] b = new byte[random.nextInt(8)];
            for (int i = 0; i < b.length; i++) {
                b[i] = interesting[random.nextInt(interesting.length)];
            }
            boolean strict;
            try {
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(b));
                strict = true;
            } catch (java.nio.charset.CharacterCodingException e) {
                strict = false;
            }
            assertThat(FetchConversions.isUtf8(b))
                    .as(java.util.HexFormat.of().formatHex(b))
                    .isEqualTo(strict);
        }
    }
}
