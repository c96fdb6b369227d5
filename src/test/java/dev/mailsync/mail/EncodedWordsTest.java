package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MimeUtility;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncodedWordsTest {

    @Test
    void textWithoutEncodedWordsIsReturnedAsItIs() {
        assertThat(EncodedWords.decode("Quarterly report, draft 2")).contains("Quarterly report, draft 2");
        assertThat(EncodedWords.decode("")).contains("");
    }

    @Test
    void decodesBase64AndQuotedPrintableWords() {
        assertThat(EncodedWords.decode("=?UTF-8?B?R3LDvMOfZQ==?=")).contains("Grüße");
        assertThat(EncodedWords.decode("=?iso-8859-1?q?caf=E9_cr=E8me?=")).contains("café crème");
        // Lower-case encoding letter, missing base64 padding.
        assertThat(EncodedWords.decode("=?utf-8?b?R3LDvMOfZQ?=")).contains("Grüße");
    }

    @Test
    void whiteSpaceBetweenTwoEncodedWordsIsDroppedButNotAroundText() {
        assertThat(EncodedWords.decode("=?UTF-8?Q?K=C3=B6ln?=  \t =?UTF-8?Q?_calling?= you"))
                .contains("Köln calling you");
        assertThat(EncodedWords.decode("Re: =?UTF-8?Q?K=C3=B6ln?= calling")).contains("Re: Köln calling");
    }

    @Test
    void aCharacterSplitOverTwoWordsIsJoinedBeforeDecoding() {
        byte[] utf8 = "ü".getBytes(StandardCharsets.UTF_8);
        String first = Base64.getEncoder().encodeToString(new byte[] {utf8[0]});
        String second = Base64.getEncoder().encodeToString(new byte[] {utf8[1]});
        assertThat(EncodedWords.decode("=?UTF-8?B?" + first + "?= =?UTF-8?B?" + second + "?="))
                .contains("ü");
    }

    @Test
    void languageSuffixAndWordsGluedToTextAreDecoded() {
        assertThat(EncodedWords.decode("=?UTF-8*de?Q?Gr=C3=BC=C3=9Fe?=")).contains("Grüße");
        assertThat(EncodedWords.decode("Fwd:=?UTF-8?Q?K=C3=B6ln?=")).contains("Fwd:Köln");
    }

    @Test
    void somethingThatOnlyLooksLikeAWordStaysText() {
        assertThat(EncodedWords.decode("a =? b")).contains("a =? b");
        assertThat(EncodedWords.decode("=?UTF-8?X?abc?=")).contains("=?UTF-8?X?abc?=");
        assertThat(EncodedWords.decode("=?UTF-8?Q?has space?=")).contains("=?UTF-8?Q?has space?=");
    }

    @Test
    void anUnknownCharsetIsLeftToTheCaller() {
        assertThat(EncodedWords.decode("=?x-no-such-charset?Q?abc?=")).isEmpty();
        assertThat(EncodedWords.decodeOrKeep("=?x-no-such-charset?Q?abc?=")).isEqualTo("=?x-no-such-charset?Q?abc?=");
    }

    @Test
    void agreesWithJakartaMailOnWellFormedHeaders() throws Exception {
        for (String header : List.of(
                "=?UTF-8?B?0J/RgNC40LLQtdGC?= =?UTF-8?B?INC80LjRgA==?=",
                "=?ISO-8859-15?Q?=A4uro_rates?=",
                "Plain start =?utf-8?q?=E2=9C=93?= plain end",
                "=?windows-1252?Q?=93quoted=94?=")) {
            assertThat(EncodedWords.decode(header)).as(header).contains(MimeUtility.decodeText(header));
        }
    }
}
