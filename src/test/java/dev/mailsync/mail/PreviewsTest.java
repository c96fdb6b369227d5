package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Previews#normalize}, the preview of IMAP (server PREVIEW, start of text/plain) and of POP3. */
class PreviewsTest {
    private static final Pattern BLANKS = Pattern.compile("[\\s\\p{Cntrl}]+");

    @Test
    void previewsAreOneLineAndAtMostTwoHundredCharacters() {
        String text = "line one\r\n\r\n\tline two " + "x".repeat(300);

        assertThat(Previews.normalize(text)).startsWith("line one line two x").hasSize(Previews.MAX_CHARS);
        assertThat(Previews.normalize(" \r\n ")).isNull();
        assertThat(Previews.normalize("")).isNull();
        assertThat(Previews.normalize(null)).isNull();
    }

    /** Moved from the IMAP folding loop's test: short texts, where nothing is cut. */
    @Test
    void blankFoldingMatchesTheRegularExpressionItReplaced() {
        Random random = new Random(42);
        char[] alphabet = {'a', 'Z', ' ', '\t', '\r', '\n', '\u000B', '\u0000', '\u007F', '\u00e9', '\u2003', '-'};
        for (int run = 0; run < 2_000; run++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                b.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String text = b.toString();
            String expected = BLANKS.matcher(text).replaceAll(" ").strip();
            assertThat(Previews.normalize(text)).as("%s", text).isEqualTo(expected.isEmpty() ? null : expected);
        }
    }

    /** The limit counts the folded text: runs of blanks count as one character. */
    @Test
    void theLimitCountsFoldedCharacters() {
        String text = "a  b  c  d  ".repeat(40); // 480 characters, 320 once folded

        assertThat(Previews.normalize(text)).isEqualTo("a b c d ".repeat(25).strip());
    }

    /**
     * White space that is not a blank ({@code U+3000}, {@code U+2003}, ...) is not folded, but it is
     * stripped at the start, and it does not use up the {@value Previews#MAX_CHARS} characters: IMAP's own
     * folding loop counted it, and gave 199 characters here, or null with 201 such spaces in front.
     */
    @Test
    void otherWhiteSpaceAtTheStartIsStrippedAndDoesNotShortenThePreview() {
        assertThat(Previews.normalize("\u3000\u3000" + "x".repeat(300))).isEqualTo("x".repeat(200));
        assertThat(Previews.normalize("\r\n\u3000 \u2003\t" + "x".repeat(300))).isEqualTo("x".repeat(200));
        assertThat(Previews.normalize("\u3000".repeat(250) + "abc")).isEqualTo("abc");
        assertThat(Previews.normalize("\u3000".repeat(250))).isNull();
        assertThat(Previews.normalize("abc\u3000 \u2003\r\n")).isEqualTo("abc");
        // not white space to strip(): kept
        assertThat(Previews.normalize("\u00a0abc\u0085")).isEqualTo("\u00a0abc\u0085");
    }

    @Test
    void theCutNeverSplitsASurrogatePair() {
        String smiley = "\ud83d\ude00";

        assertThat(Previews.normalize("x".repeat(199) + smiley + "yyy")).isEqualTo("x".repeat(199));
        assertThat(Previews.normalize("x".repeat(198) + smiley + "yyy")).isEqualTo("x".repeat(198) + smiley);
        assertThat(Previews.normalize("\u3000 " + "x".repeat(199) + smiley)).isEqualTo("x".repeat(199));
    }

    @Test
    void aTextThatIsAlreadyAPreviewIsReturnedAsItIs() {
        String preview = "Zeile 0 mit Umlauten äöü. Zeile 1 mit Umlauten äöü. " + "x".repeat(140);

        assertThat(Previews.normalize(preview)).isSameAs(preview);
        assertThat(Previews.normalize("  " + preview)).isEqualTo(preview);
    }

    /** Long texts of every kind of white space, above all at the start and around the cut. */
    @Test
    void agreesWithTheRegularExpressionOverTheWholeText() {
        String[] white = {" ", "  ", "\t", "\r\n", "\u0001", "\u007f", "\u001c", "\u3000", "\u2003", "\u2028"};
        String[] other = {"a", "\u00e9", "\u00a0", "\u0085", "\ud83d\ude00", "xyz", "\u0436"};
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 0; n < 5_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int lead = random.nextInt(6); lead > 0; lead--) {
                text.append(white[random.nextInt(white.length)]);
            }
            int length = random.nextInt(4) == 0 ? random.nextInt(180, 230) : random.nextInt(600);
            int whiteBias = random.nextInt(10);
            while (text.length() < length) {
                text.append(
                        random.nextInt(10) < whiteBias
                                ? white[random.nextInt(white.length)]
                                : other[random.nextInt(other.length)]);
            }
            String t = text.toString();
            assertThat(Previews.normalize(t)).as("preview of %s", t).isEqualTo(regexPreview(t));
        }
    }

    /** The preview as it was defined first: a regex over the whole text, then the cut. */
    static String regexPreview(String text) {
        String oneLine = BLANKS.matcher(text).replaceAll(" ").strip();
        if (oneLine.isEmpty()) {
            return null;
        }
        if (oneLine.length() > Previews.MAX_CHARS) {
            int end = Previews.MAX_CHARS;
            if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
                end--;
            }
            oneLine = oneLine.substring(0, end).stripTrailing();
        }
        return oneLine;
    }
}
