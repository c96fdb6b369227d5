package dev.mailsync.mail.imap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Parses the UIDs out of {@code UID SEARCH} answers: the RFC 4731 {@code * ESEARCH (TAG "x") UID ALL 1:5,7}
 * form and the RFC 3501 {@code * SEARCH 1 2 3} form. Pure; every malformed answer is an {@link
 * IllegalArgumentException}.
 *
 * <p>A sequence set can describe billions of numbers in a few bytes, so every parse takes a limit on the
 * count of UIDs it may produce: a broken or hostile server cannot make it allocate without bound.
 */
final class SearchResults {
    static final long MAX_UID = 0xFFFF_FFFFL;

    private SearchResults() {}

    /**
     * The UIDs of the {@code ALL} return data of an ESEARCH response, sorted and distinct.
     *
     * @param rest the response after {@code ESEARCH}, e.g. {@code (TAG "A5") UID ALL 1:5,7,9:12}; a result
     *     without {@code ALL} (nothing matched) gives an empty list
     * @throws IllegalArgumentException if the response is malformed, is not a UID result, or holds more than
     *     {@code limit} UIDs
     */
    static List<Long> esearchAll(String rest, long limit) {
        List<String> tokens = tokens(rest == null ? "" : rest);
        int i = 0;
        if (i < tokens.size() && tokens.get(i).startsWith("(")) {
            // search-correlator: (TAG "A5")
            i++;
        }
        if (i >= tokens.size() || !tokens.get(i).equalsIgnoreCase("UID")) {
            throw new IllegalArgumentException("ESEARCH answer is not a UID result");
        }
        i++;
        List<Long> all = List.of();
        while (i < tokens.size()) {
            String name = tokens.get(i).toUpperCase(Locale.ROOT);
            if (i + 1 >= tokens.size()) {
                throw new IllegalArgumentException("ESEARCH return item " + name + " without a value");
            }
            String value = tokens.get(i + 1);
            if (name.equals("ALL")) {
                all = sequenceSet(value, limit);
            }
            // MIN, MAX, COUNT, MODSEQ and extensions: not asked for, skipped.
            i += 2;
        }
        return all;
    }

    /**
     * The numbers of a classic {@code SEARCH} response, sorted and distinct.
     *
     * @param rest the response after {@code SEARCH}, e.g. {@code 1 2 3}; blank for no match. A trailing
     *     {@code (MODSEQ n)} (RFC 7162) is ignored.
     */
    static List<Long> search(String rest, long limit) {
        String text = rest == null ? "" : rest.strip();
        int paren = text.indexOf('(');
        if (paren >= 0) {
            text = text.substring(0, paren).strip();
        }
        if (text.isEmpty()) {
            return List.of();
        }
        String[] parts = text.split(" +");
        if (parts.length > limit) {
            throw new IllegalArgumentException("SEARCH answer holds more than " + limit + " UIDs");
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = uid(parts[i]);
        }
        return sortedDistinct(values, values.length);
    }

    /**
     * The numbers of an RFC 3501 sequence set without {@code *}, such as {@code 1:5,7,9:12}, sorted and
     * distinct. A range may be written high to low ({@code 12:9}).
     */
    static List<Long> sequenceSet(String set, long limit) {
        if (set == null || set.isEmpty()) {
            throw new IllegalArgumentException("empty sequence set");
        }
        long[] values = new long[16];
        int n = 0;
        for (String part : set.split(",", -1)) {
            int colon = part.indexOf(':');
            long from = uid(colon < 0 ? part : part.substring(0, colon));
            long to = colon < 0 ? from : uid(part.substring(colon + 1));
            long low = Math.min(from, to);
            long high = Math.max(from, to);
            if (n + (high - low + 1) > limit) {
                throw new IllegalArgumentException("sequence set holds more than " + limit + " UIDs");
            }
            int needed = (int) (n + (high - low + 1));
            if (needed > values.length) {
                values = Arrays.copyOf(values, Math.max(needed, values.length * 2));
            }
            for (long v = low; v <= high; v++) {
                values[n++] = v;
            }
        }
        return sortedDistinct(values, n);
    }

    private static long uid(String text) {
        if (text.isEmpty() || text.length() > 10) {
            throw new IllegalArgumentException("not a UID: '" + shorten(text) + "'");
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a UID: '" + shorten(text) + "'");
            }
            v = v * 10 + (c - '0');
        }
        if (v < 1 || v > MAX_UID) {
            throw new IllegalArgumentException("UID out of range: " + v);
        }
        return v;
    }

    private static String shorten(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "..." : s;
    }

    private static List<Long> sortedDistinct(long[] values, int n) {
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                out.add(sorted[i]);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Splits on spaces outside parentheses and quoted strings; a parenthesized group (with what it holds)
     * is one token.
     */
    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int len = text.length();
        while (i < len) {
            while (i < len && text.charAt(i) == ' ') {
                i++;
            }
            if (i >= len) {
                break;
            }
            int start = i;
            int depth = 0;
            boolean quoted = false;
            while (i < len) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '\\' && i + 1 < len) {
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                    if (depth < 0) {
                        throw new IllegalArgumentException("unbalanced parenthesis in search answer");
                    }
                } else if (c == ' ' && depth == 0) {
                    break;
                }
                i++;
            }
            if (quoted || depth != 0) {
                throw new IllegalArgumentException("unterminated group in search answer");
            }
            out.add(text.substring(start, i));
        }
        return out;
    }
}
