package dev.mailsync.mail.imap;

import jakarta.mail.Flags;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Parses one untagged FETCH response of a summary fetch (as framed by {@link ImapResponseReader}: the
 * bytes of the response with its literals in place) into the values a {@code MessageSummary} needs.
 * Tolerant where Angus is tolerant (Exchange's and Domino's quirks in BODYSTRUCTURE, Yahoo's empty address
 * lists), and like Angus it rejects a response with an address that is not valid under {@code
 * mail.mime.address.strict} (the summary then degrades, as with Angus); unknown items are skipped, which
 * Angus cannot do. Strings are decoded as Angus decodes them: ISO-8859-1 byte for byte, UTF-8 once
 * UTF8=ACCEPT is enabled, so that {@link FetchConversions} sees exactly what it saw from Angus.
 *
 * <p>Not thread-safe (one per command). Nothing of the content goes into exception messages.
 *
 * <p>Longer than the house's 600 lines because it is one grammar: ENVELOPE, BODYSTRUCTURE, address lists,
 * strings and literals are one recursive-descent parser over one buffer and one position, which split
 * across classes would only be passed around.
 */
final class FetchParser {
    /** Deeper nesting of lists is refused rather than risking the stack. */
    private static final int MAX_DEPTH = 100;

    /** A response that cannot be parsed; it carries no content. */
    static final class Malformed extends Exception {
        Malformed(String what) {
            super(what, null, false, false);
        }
    }

    /** What one FETCH response said; absent items are null (or -1). */
    static final class Fetch {
        int seq;
        long uid = -1;
        Flags flags;
        Envelope envelope;
        long size = -1;
        boolean hasSize;
        Date internalDate;
        BodyPart structure;
        boolean hasPreview;
        String preview;
    }

    /** ENVELOPE (RFC 3501 §7.4.2); the address lists are flattened (group members in place of groups). */
    record Envelope(
            Date date,
            String subject,
            List<Address> from,
            List<Address> to,
            List<Address> cc,
            String inReplyTo,
            String messageId) {}

    /** One mailbox of an address list: the display name as sent (may be null) and the address. */
    record Address(String encodedPersonal, String email) {}

    private final Charset charset;
    private final boolean strict;
    private final MailDateFormat dates = new MailDateFormat();
    private final StrictAddress validator = new StrictAddress();

    private byte[] b;
    private int i;
    private int end;
    private int depth;

    /**
     * @param utf8 strings are UTF-8 (UTF8=ACCEPT enabled); else byte for byte ISO-8859-1, as Angus reads them
     * @param strict validate every address as Angus does under {@code mail.mime.address.strict}
     */
    FetchParser(boolean utf8, boolean strict) {
        this.charset = utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        this.strict = strict;
    }

    /**
     * The message sequence number if {@code bytes[0, length)} is an untagged FETCH response ({@code * n
     * FETCH ...}), else -1.
     */
    static int fetchNumber(byte[] bytes, int length) {
        if (length < 10 || bytes[0] != '*' || bytes[1] != ' ') {
            return -1;
        }
        int k = 2;
        long n = 0;
        while (k < length && bytes[k] >= '0' && bytes[k] <= '9') {
            n = n * 10 + (bytes[k] - '0');
            if (n > Integer.MAX_VALUE) {
                return -1;
            }
            k++;
        }
        if (k == 2 || k + 6 > length || bytes[k] != ' ') {
            return -1;
        }
        k++;
        String key = "FETCH";
        for (int j = 0; j < 5; j++, k++) {
            if ((bytes[k] & 0xDF) != key.charAt(j)) {
                return -1;
            }
        }
        return k == length || bytes[k] == ' ' || bytes[k] == '(' ? (int) n : -1;
    }

    /** Parses {@code bytes[0, length)} (without the final CRLF), a response for which {@link #fetchNumber} is {@code seq}. */
    Fetch parse(byte[] bytes, int length, int seq) throws Malformed {
        b = bytes;
        end = length;
        depth = 0;
        i = 2;
        while (i < end && b[i] != ' ') {
            i++;
        }
        i += 6; // " FETCH"
        Fetch f = new Fetch();
        f.seq = seq;
        if (!nextNonSpace('(')) {
            throw new Malformed("FETCH without '('");
        }
        while (!nextNonSpace(')')) {
            String name = itemName();
            switch (name) {
                case "UID" -> f.uid = number();
                case "FLAGS" -> f.flags = flags();
                case "RFC822.SIZE" -> {
                    f.size = number();
                    f.hasSize = true;
                }
                case "INTERNALDATE" -> f.internalDate = internalDate();
                case "ENVELOPE" -> f.envelope = envelope();
                case "BODYSTRUCTURE", "BODY" -> f.structure = body();
                case "PREVIEW" -> {
                    f.hasPreview = true;
                    f.preview = preview();
                }
                default -> skipValue();
            }
        }
        return f;
    }

    // --- items -------------------------------------------------------------------------------------------

    /** An item name, upper case; a section ({@code BODY[1.2]<0>}) is part of the name. */
    private String itemName() throws Malformed {
        skipSpaces();
        int start = i;
        while (i < end) {
            byte c = b[i];
            if (c == '[') {
                while (i < end && b[i] != ']') {
                    i++;
                }
                if (i >= end) {
                    throw new Malformed("unterminated section");
                }
                i++;
                continue;
            }
            if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{') {
                break;
            }
            i++;
        }
        if (i == start) {
            throw new Malformed("item name expected");
        }
        byte[] name = new byte[i - start];
        for (int k = 0; k < name.length; k++) {
            byte c = b[start + k];
            name[k] = c >= 'a' && c <= 'z' ? (byte) (c - 32) : c;
        }
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    /** The rules of Angus's FLAGS: system flags by their first letters, everything else a keyword. */
    private Flags flags() throws Malformed {
        if (!nextNonSpace('(')) {
            if (nil()) {
                return new Flags();
            }
            throw new Malformed("FLAGS without '('");
        }
        Flags flags = new Flags();
        int start = i;
        while (true) {
            if (i >= end) {
                throw new Malformed("unterminated FLAGS");
            }
            byte c = b[i];
            if (c == ' ' || c == ')') {
                if (i > start) {
                    addFlag(flags, new String(b, start, i - start, StandardCharsets.ISO_8859_1));
                }
                i++;
                if (c == ')') {
                    return flags;
                }
                start = i;
            } else {
                i++;
            }
        }
    }

    private static void addFlag(Flags flags, String f) {
        if (f.length() >= 2 && f.charAt(0) == '\\') {
            switch (Character.toUpperCase(f.charAt(1))) {
                case 'S' -> flags.add(Flags.Flag.SEEN);
                case 'R' -> flags.add(Flags.Flag.RECENT);
                case 'D' -> {
                    if (f.length() >= 3) {
                        char c = f.charAt(2);
                        if (c == 'e' || c == 'E') {
                            flags.add(Flags.Flag.DELETED);
                        } else if (c == 'r' || c == 'R') {
                            flags.add(Flags.Flag.DRAFT);
                        }
                    } else {
                        flags.add(f);
                    }
                }
                case 'A' -> flags.add(Flags.Flag.ANSWERED);
                case 'F' -> flags.add(Flags.Flag.FLAGGED);
                case '*' -> flags.add(Flags.Flag.USER);
                default -> flags.add(f);
            }
        } else {
            flags.add(f);
        }
    }

    private Date internalDate() throws Malformed {
        String s = nstring();
        if (s == null) {
            throw new Malformed("INTERNALDATE is NIL");
        }
        try {
            return dates.parse(s);
        } catch (ParseException e) {
            throw new Malformed("INTERNALDATE cannot be parsed");
        }
    }

    private String preview() throws Malformed {
        skipSpaces();
        if (i < end && (b[i] == '"' || b[i] == '{' || b[i] == '~' || b[i] == 'N' || b[i] == 'n')) {
            int[] range = nstringRange();
            return range == null ? null : bytesAsString(range, StandardCharsets.UTF_8);
        }
        skipValue();
        return null;
    }

    // --- ENVELOPE ----------------------------------------------------------------------------------------

    private Envelope envelope() throws Malformed {
        if (!nextNonSpace('(')) {
            throw new Malformed("ENVELOPE without '('");
        }
        String dateText = nstring();
        Date date = null;
        if (dateText != null) {
            try {
                date = dates.parse(dateText);
            } catch (ParseException e) {
                // as Angus: an unparseable Date header is no date
            }
        }
        String subject = nstring();
        List<Address> from = addressList();
        addressList(); // sender
        addressList(); // reply-to
        List<Address> to = addressList();
        List<Address> cc = addressList();
        addressList(); // bcc
        String inReplyTo = nstring();
        String messageId = nstring();
        if (!nextNonSpace(')')) {
            throw new Malformed("ENVELOPE without ')'");
        }
        return new Envelope(date, subject, from, to, cc, inReplyTo, messageId);
    }

    /** An address list, groups flattened; null for NIL and for an empty list. */
    private List<Address> addressList() throws Malformed {
        skipSpaces();
        if (i >= end) {
            throw new Malformed("address list expected");
        }
        if (b[i] == '(') {
            i++;
            if (nextNonSpace(')')) {
                return null; // "()" instead of NIL (Yahoo)
            }
            List<Address> out = new ArrayList<>(2);
            do {
                address(out); // an end-of-group marker at the top is ignored
            } while (!nextNonSpace(')'));
            return out;
        }
        if (nil()) {
            return null;
        }
        throw new Malformed("address list expected");
    }

    /**
     * One address into {@code out}; a group start reads its members up to the end-of-group marker (RFC 3501
     * group syntax: NIL host, mailbox = group name; NIL host and NIL mailbox ends the group). Returns true
     * for an end-of-group marker.
     */
    private boolean address(List<Address> out) throws Malformed {
        if (!nextNonSpace('(')) {
            throw new Malformed("address expected");
        }
        enter();
        String personal = nstring();
        nstring(); // at-domain-list
        String mailbox = nstring();
        String host = nstring();
        if (!nextNonSpace(')')) {
            throw new Malformed("address without ')'");
        }
        depth--;
        if (host == null) {
            if (mailbox == null) {
                return true;
            }
            while (true) {
                skipSpaces();
                if (i >= end) {
                    throw new Malformed("unterminated group");
                }
                if (b[i] == ')') {
                    return false;
                }
                if (address(out)) {
                    return false;
                }
            }
        }
        String email;
        if (mailbox == null || mailbox.isEmpty()) {
            email = host;
        } else if (host.isEmpty()) {
            email = mailbox;
        } else {
            email = mailbox + "@" + host;
        }
        if (strict) {
            validator.check(email);
        }
        out.add(new Address(personal, email));
        return false;
    }

    /** Angus's IMAP address validation: {@link InternetAddress#validate()} of a non-group address. */
    private static final class StrictAddress extends InternetAddress {
        private static final long serialVersionUID = 1L;

        void check(String email) throws Malformed {
            address = email;
            try {
                validate();
            } catch (AddressException e) {
                throw new Malformed("invalid address");
            }
        }

        @Override
        public boolean isGroup() {
            return false;
        }
    }

    // --- BODYSTRUCTURE -----------------------------------------------------------------------------------

    private BodyPart body() throws Malformed {
        if (!nextNonSpace('(')) {
            throw new Malformed("body without '('");
        }
        enter();
        BodyPart part = i < end && b[i] == '(' ? multipart() : single();
        depth--;
        return part;
    }

    private BodyPart multipart() throws Malformed {
        List<BodyPart> children = new ArrayList<>(2);
        do {
            children.add(body());
            skipSpaces();
        } while (i < end && b[i] == '(');
        String subtype = nstring();
        BodyPart.Params params = null;
        Disposition disposition = Disposition.NONE;
        if (!nextNonSpace(')')) {
            params = parameters();
            disposition = dispositionAndRest(true);
        }
        return new BodyPart(
                BodyPart.Kind.MULTI,
                "multipart",
                subtype,
                null,
                disposition.type(),
                params,
                disposition.params(),
                children);
    }

    private BodyPart single() throws Malformed {
        if (i < end && b[i] == ')') {
            throw new Malformed("empty body");
        }
        String type = nstring();
        String subtype = nstring();
        if (type == null) {
            type = "application";
            subtype = "octet-stream";
        }
        BodyPart.Params params = parameters();
        nstring(); // id
        nstring(); // description
        String encoding = astring();
        if (encoding != null && encoding.equalsIgnoreCase("NIL")) {
            encoding = null;
        }
        if (encoding != null) {
            encoding = encoding.trim();
        }
        if (number() < 0) {
            throw new Malformed("body size expected");
        }
        BodyPart.Kind kind = BodyPart.Kind.SINGLE;
        List<BodyPart> children = List.of();
        if (type.equalsIgnoreCase("text")) {
            if (number() < 0) {
                throw new Malformed("body lines expected");
            }
        } else if (type.equalsIgnoreCase("message") && "rfc822".equalsIgnoreCase(subtype)) {
            kind = BodyPart.Kind.NESTED;
            skipSpaces();
            if (i < end && b[i] == '(') {
                envelope(); // checked as Angus checks it, not kept
                children = List.of(body());
                if (number() < 0) {
                    throw new Malformed("body lines expected");
                }
            }
        } else {
            skipSpaces();
            if (i < end && b[i] >= '0' && b[i] <= '9') {
                throw new Malformed("lines element on a type without lines");
            }
        }
        Disposition disposition = Disposition.NONE;
        if (!nextNonSpace(')')) {
            nstringOrSkip(); // md5
            disposition = dispositionAndRest(false);
        }
        return new BodyPart(kind, type, subtype, encoding, disposition.type(), params, disposition.params(), children);
    }

    /** A body disposition (RFC 3501 §7.4.2): its type and parameters, both null when there is none. */
    private record Disposition(String type, BodyPart.Params params) {
        static final Disposition NONE = new Disposition(null, null);
    }

    /**
     * The extension data of a body after the part's own fields (a multipart's parameters, a single part's
     * MD5), up to and with the body's closing ')': the disposition, if any, then the rest skipped. Where
     * the disposition belongs there must be a list or NIL; with {@code lenient} (multiparts, as Angus reads
     * them) a string there is skipped, and the part has no disposition, else the response is malformed.
     */
    private Disposition dispositionAndRest(boolean lenient) throws Malformed {
        if (nextNonSpace(')')) {
            return Disposition.NONE;
        }
        Disposition disposition = Disposition.NONE;
        skipSpaces();
        if (i < end && b[i] == '(') {
            i++;
            String type = nstring();
            BodyPart.Params params = parameters();
            if (!nextNonSpace(')')) {
                throw new Malformed("disposition without ')'");
            }
            disposition = new Disposition(type, params);
        } else if (!nil()) {
            if (!lenient) {
                throw new Malformed("bad disposition");
            }
            nstring(); // Exchange: a description where the disposition belongs; the rest is unknown
        }
        skipRestOfList();
        return disposition;
    }

    /** A parameter list: NIL, or (name value ...); a NIL value is "" as with Angus. */
    private BodyPart.Params parameters() throws Malformed {
        skipSpaces();
        if (i < end && b[i] == '(') {
            i++;
            List<String> pairs = new ArrayList<>(4);
            while (!nextNonSpace(')')) {
                String name = nstring();
                if (name == null) {
                    throw new Malformed("NIL parameter name");
                }
                String value = nstring();
                pairs.add(name);
                pairs.add(value == null ? "" : value);
            }
            return BodyPart.Params.ofPairs(pairs.toArray(String[]::new));
        }
        if (nil()) {
            return null;
        }
        throw new Malformed("parameter list expected");
    }

    // --- tokens ------------------------------------------------------------------------------------------

    private void enter() throws Malformed {
        if (++depth > MAX_DEPTH) {
            throw new Malformed("nested too deeply");
        }
    }

    private void skipSpaces() {
        while (i < end && b[i] == ' ') {
            i++;
        }
    }

    /** Skips spaces; if the next byte is {@code c}, consumes it and returns true. */
    private boolean nextNonSpace(char c) throws Malformed {
        skipSpaces();
        if (i >= end) {
            throw new Malformed("response ends early");
        }
        if (b[i] == c) {
            i++;
            return true;
        }
        return false;
    }

    /** Consumes NIL (any case) if it is next. */
    private boolean nil() {
        skipSpaces();
        if (i + 3 <= end
                && (b[i] | 0x20) == 'n'
                && (b[i + 1] | 0x20) == 'i'
                && (b[i + 2] | 0x20) == 'l'
                && (i + 3 == end || isDelimiter(b[i + 3]))) {
            i += 3;
            return true;
        }
        return false;
    }

    private static boolean isDelimiter(byte c) {
        return c == ' ' || c == ')' || c == '(';
    }

    private long number() throws Malformed {
        skipSpaces();
        int start = i;
        long n = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            if (i - start >= 18) {
                throw new Malformed("number too long");
            }
            n = n * 10 + (b[i] - '0');
            i++;
        }
        return i > start ? n : -1;
    }

    /** A quoted string, a literal (also literal8) or NIL, as a String. */
    private String nstring() throws Malformed {
        int[] range = nstringRange();
        return range == null ? null : bytesAsString(range, charset);
    }

    /** An nstring, or any other value skipped (null). */
    private void nstringOrSkip() throws Malformed {
        skipSpaces();
        if (i < end && b[i] == '(') {
            skipValue();
        } else if (!nil()) {
            nstringRange();
        }
    }

    /** An astring: quoted, literal or a bare atom (Exchange sends the encoding unquoted). */
    private String astring() throws Malformed {
        skipSpaces();
        if (i < end && (b[i] == '"' || b[i] == '{' || b[i] == '~')) {
            return nstring();
        }
        int start = i;
        while (i < end && b[i] != ' ' && b[i] != '(' && b[i] != ')') {
            i++;
        }
        if (i == start) {
            throw new Malformed("string expected");
        }
        return new String(b, start, i - start, charset);
    }

    /** Scratch for unescaped quoted strings. */
    private byte[] scratch = new byte[256];

    private int scratchLength;

    /**
     * Reads an nstring. Returns {start, length, inScratch} of its bytes (in {@link #b}, or in {@link
     * #scratch} when escapes were removed), or null for NIL.
     */
    private int[] nstringRange() throws Malformed {
        skipSpaces();
        if (i >= end) {
            throw new Malformed("string expected");
        }
        byte c = b[i];
        if (c == '"') {
            int start = ++i;
            while (i < end && b[i] != '"' && b[i] != '\\') {
                i++;
            }
            if (i < end && b[i] == '"') {
                i++;
                return new int[] {start, i - 1 - start, 0};
            }
            // escapes: copy unescaped into scratch
            scratchLength = 0;
            copyToScratch(start, i - start);
            while (i < end && b[i] != '"') {
                if (b[i] == '\\') {
                    i++;
                    if (i >= end) {
                        break;
                    }
                }
                copyToScratch(i, 1);
                i++;
            }
            if (i >= end) {
                throw new Malformed("unterminated quoted string");
            }
            i++;
            return new int[] {0, scratchLength, 1};
        }
        if (c == '{' || (c == '~' && i + 1 < end && b[i + 1] == '{')) {
            i += c == '~' ? 2 : 1;
            long n = 0;
            int digits = 0;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                n = n * 10 + (b[i] - '0');
                i++;
                if (++digits > 10) {
                    throw new Malformed("literal too long");
                }
            }
            if (i < end && b[i] == '+') {
                i++;
            }
            if (digits == 0 || i >= end || b[i] != '}') {
                throw new Malformed("bad literal");
            }
            i++;
            if (i < end && b[i] == '\r') {
                i++;
            }
            if (i >= end || b[i] != '\n') {
                throw new Malformed("literal without line end");
            }
            i++;
            if (n > end - i) {
                throw new Malformed("literal runs past the response");
            }
            int start = i;
            i += (int) n;
            return new int[] {start, (int) n, 0};
        }
        if (nil()) {
            return null;
        }
        throw new Malformed("string expected");
    }

    private void copyToScratch(int from, int length) {
        if (scratchLength + length > scratch.length) {
            scratch = java.util.Arrays.copyOf(scratch, Math.max(scratch.length * 2, scratchLength + length));
        }
        System.arraycopy(b, from, scratch, scratchLength, length);
        scratchLength += length;
    }

    private String bytesAsString(int[] range, Charset cs) {
        return range[2] == 0 ? new String(b, range[0], range[1], cs) : new String(scratch, 0, range[1], cs);
    }

    /** Skips one value of any kind: a list, a string, a literal, an atom or a number. */
    private void skipValue() throws Malformed {
        skipSpaces();
        if (i >= end) {
            throw new Malformed("value expected");
        }
        byte c = b[i];
        if (c == '(') {
            i++;
            enter();
            skipRestOfList();
            depth--;
        } else if (c == '"' || c == '{' || (c == '~' && i + 1 < end && b[i + 1] == '{')) {
            nstringRange();
        } else if (c == ')') {
            throw new Malformed("value expected");
        } else {
            while (i < end && b[i] != ' ' && b[i] != ')' && b[i] != '(') {
                if (b[i] == '[') {
                    while (i < end && b[i] != ']') {
                        i++;
                    }
                }
                i++;
            }
        }
    }

    /** Skips values up to and including the ')' that closes the current list. */
    private void skipRestOfList() throws Malformed {
        while (!nextNonSpace(')')) {
            skipValue();
        }
    }
}
