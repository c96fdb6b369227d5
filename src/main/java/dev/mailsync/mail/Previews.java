package dev.mailsync.mail;

/**
 * The preview of a message as devices get it, whichever way its text came (IMAP's PREVIEW, the start of the
 * first text/plain part, a POP3 download): one line, at most {@value #MAX_CHARS} characters, null when blank.
 */
public final class Previews {
    /** The longest preview handed out, in characters. */
    public static final int MAX_CHARS = 200;

    private Previews() {}

    /**
     * Runs of white space and control characters become one space, the result is stripped and cut to
     * {@value #MAX_CHARS} characters (never between the two halves of a surrogate pair); null when nothing
     * is left. The same as {@code text.replaceAll("[\\s\\p{Cntrl}]+", " ").strip()} then the cut, without
     * a regular expression over the whole text: this runs for every message of a first sync, so it reads
     * only the start of the text, copies it at most once, and returns a text that is already a preview (a
     * server's PREVIEW, usually) as it is.
     */
    public static String normalize(String text) {
        if (text == null) {
            return null;
        }
        int length = text.length();
        // What strip() would take off the start: folded runs and the other white space.
        int from = 0;
        while (from < length && isSpace(text.charAt(from))) {
            from++;
        }
        if (from == length) {
            return null;
        }
        // Only MAX_CHARS + 1 characters after that count: the rest cannot change the preview.
        int window = (int) Math.min(length, (long) from + MAX_CHARS + 1);
        int clean = from;
        while (clean < window && !changedByFolding(text, clean)) {
            clean++;
        }
        if (clean == window) {
            return preview(text, from, window);
        }
        StringBuilder out = new StringBuilder(Math.min(length - from, MAX_CHARS + 1));
        out.append(text, from, clean);
        // text[clean] starts a run that folding changes; the character before it is not blank.
        boolean inRun = false;
        for (int i = clean; i < length && out.length() <= MAX_CHARS; i++) {
            char ch = text.charAt(i);
            if (isBlank(ch)) {
                if (!inRun) {
                    out.append(' ');
                    inRun = true;
                }
            } else {
                out.append(ch);
                inRun = false;
            }
        }
        return preview(out, 0, out.length());
    }

    /**
     * The preview of {@code s[from, to)}, one line already, starting with a character that is not white
     * space and at most {@value #MAX_CHARS} + 1 long: stripped at the end, and cut if it is still longer
     * than {@value #MAX_CHARS}.
     */
    private static String preview(CharSequence s, int from, int to) {
        int end = stripTrailing(s, from, to);
        if (end - from > MAX_CHARS) {
            end = from + MAX_CHARS;
            if (Character.isHighSurrogate(s.charAt(end - 1))) {
                end--;
            }
            end = stripTrailing(s, from, end);
        }
        // String.substring of the whole string is the string itself.
        return s instanceof String string
                ? string.substring(from, end)
                : s.subSequence(from, end).toString();
    }

    /** Where {@code s[from, to)} ends without the white space at its end ({@code s[from]} is none). */
    private static int stripTrailing(CharSequence s, int from, int to) {
        // White space is never a surrogate, so char by char is what String.strip does by code point.
        while (to > from && Character.isWhitespace(s.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    /** Whether folding changes {@code text} at {@code i}: a blank that is not a lone space. */
    private static boolean changedByFolding(String text, int i) {
        char ch = text.charAt(i);
        if (!isBlank(ch)) {
            return false;
        }
        return ch != ' ' || (i + 1 < text.length() && isBlank(text.charAt(i + 1)));
    }

    /** The regex's {@code [\\s\\p{Cntrl}]}: U+0000–U+0020 and U+007F. */
    private static boolean isBlank(char ch) {
        return ch <= ' ' || ch == '\u007f';
    }

    /** Taken off the start of a preview: a blank, or other white space as {@link String#strip()} sees it. */
    private static boolean isSpace(char ch) {
        return isBlank(ch) || Character.isWhitespace(ch);
    }
}
