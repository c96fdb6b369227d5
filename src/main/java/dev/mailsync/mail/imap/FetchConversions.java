package dev.mailsync.mail.imap;

import dev.mailsync.mail.Previews;
import dev.mailsync.sync.MailAddress;
import jakarta.mail.Flags;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;

/** Turns what Angus parsed from FETCH responses into the plain values of {@code dev.mailsync.sync}. */
final class FetchConversions {
    private FetchConversions() {}

    /** System flags with their backslash (never {@code \Recent}), then keywords by name. */
    static Set<String> flags(Flags flags) {
        Set<String> out = new LinkedHashSet<>();
        if (flags == null) {
            return out;
        }
        for (Flags.Flag f : flags.getSystemFlags()) {
            String name = systemFlagName(f);
            if (name != null) {
                out.add(name);
            }
        }
        for (String keyword : flags.getUserFlags()) {
            if (keyword != null && !keyword.isEmpty()) {
                out.add(keyword);
            }
        }
        return out;
    }

    private static String systemFlagName(Flags.Flag f) {
        if (f == Flags.Flag.SEEN) {
            return "\\Seen";
        } else if (f == Flags.Flag.ANSWERED) {
            return "\\Answered";
        } else if (f == Flags.Flag.FLAGGED) {
            return "\\Flagged";
        } else if (f == Flags.Flag.DELETED) {
            return "\\Deleted";
        } else if (f == Flags.Flag.DRAFT) {
            return "\\Draft";
        }
        // \Recent is session state, and USER only says keywords may be created.
        return null;
    }

    /** A header value from the envelope, unfolded and RFC 2047 decoded; raw 8-bit UTF-8 is repaired. */
    static String decodeHeader(String raw) {
        if (raw == null) {
            return null;
        }
        // An unknown charset in an encoded word: the undecoded text is still better than nothing.
        return dev.mailsync.mail.EncodedWords.decodeOrKeep(MimeUtility.unfold(utf8IfRaw(raw)));
    }

    /**
     * Angus reads IMAP strings byte by byte as ISO-8859-1 unless UTF8=ACCEPT is on, so a header sent as raw
     * UTF-8 (RFC 6532, common in practice) arrives as mojibake. If every char is a byte and the bytes are
     * valid UTF-8 with at least one non-ASCII byte, decode them as UTF-8; otherwise keep the text.
     */
    static String utf8IfRaw(String s) {
        boolean high = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF) {
                return s;
            }
            high |= c >= 0x80;
        }
        if (!high) {
            return s;
        }
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        // Checked first: a decoder reporting malformed input throws, and Latin-1 text is common.
        return isUtf8(bytes) ? new String(bytes, StandardCharsets.UTF_8) : s;
    }

    /** Whether the bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF). */
    static boolean isUtf8(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int more;
            int min;
            if (c < 0x80) {
                i++;
                continue;
            } else if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + more >= b.length) {
                return false;
            }
            int cp = c & (0x3F >> more);
            for (int k = 1; k <= more; k++) {
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            i += more + 1;
        }
        return true;
    }

    /**
     * The display name of an address. Angus keeps the name as sent ({@code encodedPersonal}) and decodes it
     * in {@code getPersonal()} through {@code MimeUtility.decodeText}, which looks its stream provider up
     * through the service loader for every encoded word (jakartaee/mail-api#861: a third of the CPU of a
     * first sync). The name as sent is read here and decoded with {@link dev.mailsync.mail.EncodedWords};
     * if the field cannot be read, {@code getPersonal()} is used as before.
     */
    static String personal(InternetAddress a) {
        if (ENCODED_PERSONAL != null) {
            String sent = (String) ENCODED_PERSONAL.get(a);
            if (sent != null) {
                return dev.mailsync.mail.EncodedWords.decodeOrKeep(sent);
            }
        }
        return a.getPersonal();
    }

    private static final java.lang.invoke.VarHandle ENCODED_PERSONAL = encodedPersonalHandle();

    /** Whether {@link #personal} reads the name as sent (false: it falls back to {@code getPersonal()}). */
    static boolean readsNameAsSent() {
        return ENCODED_PERSONAL != null;
    }

    private static java.lang.invoke.VarHandle encodedPersonalHandle() {
        try {
            return java.lang.invoke.MethodHandles.privateLookupIn(
                            InternetAddress.class, java.lang.invoke.MethodHandles.lookup())
                    .findVarHandle(InternetAddress.class, "encodedPersonal", String.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The addresses of an envelope field; groups are flattened to their members. */
    static List<MailAddress> addresses(InternetAddress[] addresses) {
        List<MailAddress> out = new ArrayList<>();
        if (addresses == null) {
            return out;
        }
        for (InternetAddress a : addresses) {
            if (a == null) {
                continue;
            }
            if (a.isGroup()) {
                try {
                    InternetAddress[] members = a.getGroup(false);
                    if (members != null) {
                        out.addAll(addresses(members));
                    }
                } catch (AddressException e) {
                    // A malformed group: its members are lost, the other addresses are kept.
                }
                continue;
            }
            String email = a.getAddress();
            if (email == null || email.isBlank()) {
                continue;
            }
            String personal = personal(a);
            personal = personal == null ? null : utf8IfRaw(personal).strip();
            out.add(new MailAddress(personal == null || personal.isEmpty() ? null : personal, email.strip()));
        }
        return out;
    }

    /**
     * One address as {@link #addresses(InternetAddress[])} makes it, from the display name as sent (may be
     * null) and the address; null when the address is null or blank.
     */
    static MailAddress address(String encodedPersonal, String email) {
        if (email == null || email.isBlank()) {
            return null;
        }
        String personal = encodedPersonal == null ? null : dev.mailsync.mail.EncodedWords.decodeOrKeep(encodedPersonal);
        personal = personal == null ? null : utf8IfRaw(personal).strip();
        return new MailAddress(personal == null || personal.isEmpty() ? null : personal, email.strip());
    }

    /** The addresses of an envelope field parsed by {@link FetchParser}, as {@link #addresses(InternetAddress[])}. */
    static List<MailAddress> addresses(List<FetchParser.Address> addresses) {
        List<MailAddress> out = new ArrayList<>();
        if (addresses == null) {
            return out;
        }
        for (FetchParser.Address a : addresses) {
            MailAddress m = address(a.encodedPersonal(), a.email());
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Whether the body structure shows an attachment: a part with {@code Content-Disposition: attachment};
     * a leaf that is neither text/plain nor text/html and has a file name; an application/* leaf directly
     * inside a multipart/mixed; or a message/rfc822 part inside a multipart (a forwarded message).
     */
    static boolean hasAttachments(BODYSTRUCTURE bs) {
        return hasAttachments(BodyPart.of(bs));
    }

    /** {@link #hasAttachments(BODYSTRUCTURE)} of a structure from either parser. */
    static boolean hasAttachments(BodyPart bs) {
        return bs != null && hasAttachments(bs, null);
    }

    private static boolean hasAttachments(BodyPart part, BodyPart parent) {
        if ("attachment".equalsIgnoreCase(trim(part.disposition()))) {
            return true;
        }
        if (part.isMulti()) {
            for (BodyPart child : part.children()) {
                if (child != null && hasAttachments(child, part)) {
                    return true;
                }
            }
            return false;
        }
        String type = lower(part.type());
        String subtype = lower(part.subtype());
        if (part.isNested() || ("message".equals(type) && "rfc822".equals(subtype))) {
            // Attached e-mail; the top-level structure is never nested, so parent is set here.
            return parent != null;
        }
        boolean textBody = "text".equals(type) && ("plain".equals(subtype) || "html".equals(subtype));
        if (!textBody && fileName(part) != null) {
            return true;
        }
        return "application".equals(type)
                && parent != null
                && "multipart".equals(lower(parent.type()))
                && "mixed".equals(lower(parent.subtype()));
    }

    private static String fileName(BodyPart part) {
        String name = parameter(part.dispositionParams(), "filename");
        return name != null ? name : parameter(part.params(), "name");
    }

    private static String parameter(BodyPart.Params params, String name) {
        if (params == null) {
            return null;
        }
        String value = params.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** Where the first text/plain body part is, and how to decode it. */
    record TextPart(String section, String encoding, String charset) {}

    /**
     * The first text/plain part that is not an attachment, depth first, not looking inside attached
     * messages; null if there is none. Sections are numbered as in RFC 3501 §6.4.5 ({@code 1} for the body
     * of a single-part message).
     */
    static TextPart firstPlainText(BODYSTRUCTURE bs) {
        return firstPlainText(BodyPart.of(bs));
    }

    /** {@link #firstPlainText(BODYSTRUCTURE)} of a structure from either parser. */
    static TextPart firstPlainText(BodyPart bs) {
        if (bs == null) {
            return null;
        }
        if (!bs.isMulti()) {
            return isPlainBody(bs) ? textPart("1", bs) : null;
        }
        return firstPlainText(bs, "");
    }

    private static TextPart firstPlainText(BodyPart multipart, String prefix) {
        List<BodyPart> bodies = multipart.children();
        for (int i = 0; i < bodies.size(); i++) {
            BodyPart child = bodies.get(i);
            if (child == null) {
                continue;
            }
            String section = prefix + (i + 1);
            if (child.isMulti()) {
                TextPart found = firstPlainText(child, section + ".");
                if (found != null) {
                    return found;
                }
            } else if (isPlainBody(child)) {
                return textPart(section, child);
            }
        }
        return null;
    }

    private static boolean isPlainBody(BodyPart part) {
        return "text".equals(lower(part.type()))
                && "plain".equals(lower(part.subtype()))
                && !"attachment".equalsIgnoreCase(trim(part.disposition()));
    }

    private static TextPart textPart(String section, BodyPart part) {
        return new TextPart(section, lower(part.encoding()), parameter(part.params(), "charset"));
    }

    /**
     * A preview from the first bytes of a text/plain part: transfer decoding that tolerates the cut at the
     * end, then the charset, then {@link Previews#normalize}.
     */
    static String previewFromPrefix(byte[] data, String transferEncoding, String charset) {
        if (data == null) {
            return null;
        }
        byte[] decoded;
        if ("base64".equals(transferEncoding)) {
            decoded = decodeBase64Prefix(data);
        } else if ("quoted-printable".equals(transferEncoding)) {
            decoded = decodeQuotedPrintablePrefix(data);
        } else {
            decoded = data;
        }
        String text = new String(decoded, charsetOrUtf8(charset));
        // The cut may have split a multi-byte character.
        while (!text.isEmpty() && text.charAt(text.length() - 1) == '\uFFFD') {
            text = text.substring(0, text.length() - 1);
        }
        return Previews.normalize(text);
    }

    private static Charset charsetOrUtf8(String charset) {
        if (charset == null || charset.isBlank()) {
            return StandardCharsets.UTF_8;
        }
        try {
            Charset cs = Charset.forName(MimeUtility.javaCharset(charset.strip()));
            // US-ASCII text is valid UTF-8, and mislabelled 8-bit text is far more often UTF-8 than not.
            return cs.equals(StandardCharsets.US_ASCII) ? StandardCharsets.UTF_8 : cs;
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private static byte[] decodeBase64Prefix(byte[] data) {
        StringBuilder chars = new StringBuilder(data.length);
        for (byte b : data) {
            char c = (char) (b & 0xFF);
            if (Character.isLetterOrDigit(c) && c < 0x80 || c == '+' || c == '/') {
                chars.append(c);
            } else if (c == '=') {
                break;
            }
        }
        // Only whole 4-character groups: the cut may have split the last one.
        int usable = chars.length() - chars.length() % 4;
        try {
            return Base64.getDecoder().decode(chars.substring(0, usable));
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] decodeQuotedPrintablePrefix(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
        for (int i = 0; i < data.length; i++) {
            byte b = data[i];
            if (b != '=') {
                out.write(b);
                continue;
            }
            if (i + 1 < data.length && data[i + 1] == '\n') {
                i += 1; // soft line break, bare LF
            } else if (i + 2 < data.length && data[i + 1] == '\r' && data[i + 2] == '\n') {
                i += 2; // soft line break
            } else if (i + 2 < data.length && hex(data[i + 1]) >= 0 && hex(data[i + 2]) >= 0) {
                out.write(hex(data[i + 1]) * 16 + hex(data[i + 2]));
                i += 2;
            } else if (i + 2 >= data.length) {
                break; // an escape cut off by the partial fetch
            } else {
                out.write(b); // not an escape: keep it as it is
            }
        }
        return out.toByteArray();
    }

    private static int hex(byte b) {
        return Character.digit((char) (b & 0xFF), 16);
    }

    /**
     * A UID set of exactly these UIDs (ascending, distinct, positive): contiguous runs become {@code a:b},
     * never {@code *}, so it cannot match a message that was not asked for.
     */
    static String uidSet(List<Long> sortedUids) {
        return dev.mailsync.sync.UidRange.toSet(sortedUids);
    }

    private static String lower(String s) {
        return s == null ? null : s.strip().toLowerCase(Locale.ROOT);
    }

    private static String trim(String s) {
        return s == null ? null : s.strip();
    }
}
