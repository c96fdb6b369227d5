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
     * a regular expression over the whole text: this runs for every message of a first sync.
     */
    public static String normalize(String text) {
        if (text == null) {
            return null;
        }
        // Only the start counts: the rest of the text cannot change the first MAX_CHARS characters.
        String oneLine = collapseSpace(text, MAX_CHARS + 1).strip();
        if (oneLine.isEmpty()) {
            return null;
        }
        if (oneLine.length() > MAX_CHARS) {
            int end = MAX_CHARS;
            if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
                end--;
            }
            oneLine = oneLine.substring(0, end).stripTrailing();
        }
        return oneLine;
    }

    /**
     * Every run of ASCII white space and control characters (the regex {@code [\\s\\p{Cntrl}]+}:
     * U+0000–U+0020 and U+007F) becomes one space, up to the point where {@code keep} characters follow
     * the first one that is not white space ({@link Character#isWhitespace}, as {@link String#strip()}
     * sees it); the rest is dropped.
     */
    static String collapseSpace(String text, int keep) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), keep + 16));
        int start = -1; // where the first character that is not white space went
        boolean inRun = false;
        for (int i = 0; i < text.length() && (start < 0 || out.length() - start < keep); i++) {
            char ch = text.charAt(i);
            if (ch <= ' ' || ch == '\u007f') {
                if (!inRun) {
                    out.append(' ');
                    inRun = true;
                }
            } else {
                if (start < 0 && !Character.isWhitespace(ch)) {
                    start = out.length();
                }
                out.append(ch);
                inRun = false;
            }
        }
        return out.toString();
    }
}
