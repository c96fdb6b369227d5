package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.MailAddress;
import dev.mailsync.sync.MessageContent;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Turns a server message into {@link MessageContent} and streams its raw source or one part. Part ids
 * are IMAP section numbers (RFC 3501 §6.4.5): "1", "2.1"; a single-part message has the one part "1".
 */
final class MessageReader {
    /** Bodies larger than this are cut (the whole message stays available through the raw stream). */
    static final int MAX_BODY_CHARS = 2 * 1024 * 1024;

    private MessageReader() {}

    static MessageContent read(jakarta.mail.Message m) throws MessagingException, IOException {
        List<MessageContent.Header> headers = new ArrayList<>();
        for (Header h : Collections.list(m.getAllHeaders())) {
            headers.add(new MessageContent.Header(h.getName(), decode(h.getValue())));
        }
        Bodies bodies = new Bodies();
        walk(m, "", bodies);
        String[] subject = m.getHeader("Subject");
        return new MessageContent(
                headers,
                subject == null || subject.length == 0 ? null : decode(subject[0]),
                addresses(m.getFrom()),
                addresses(m.getRecipients(jakarta.mail.Message.RecipientType.TO)),
                addresses(m.getRecipients(jakarta.mail.Message.RecipientType.CC)),
                m.getSentDate() == null ? null : m.getSentDate().toInstant(),
                header(m, "Message-ID"),
                bodies.text,
                bodies.html,
                List.copyOf(bodies.attachments));
    }

    private static final class Bodies {
        String text;
        String html;
        final List<MessageContent.Attachment> attachments = new ArrayList<>();
    }

    /** Depth-first over the MIME tree; the first text/plain and text/html that are not attachments win. */
    private static void walk(Part part, String id, Bodies out) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                walk(multipart.getBodyPart(i), id.isEmpty() ? String.valueOf(i + 1) : id + "." + (i + 1), out);
            }
            return;
        }
        String partId = id.isEmpty() ? "1" : id;
        String disposition = part.getDisposition();
        String fileName = fileName(part);
        boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(disposition) || fileName != null;
        if (!attachment && part.isMimeType("text/plain") && out.text == null) {
            out.text = text(part);
        } else if (!attachment && part.isMimeType("text/html") && out.html == null) {
            out.html = text(part);
        } else {
            String[] contentIds = part.getHeader("Content-ID");
            int size = part.getSize();
            out.attachments.add(new MessageContent.Attachment(
                    partId,
                    fileName,
                    baseType(part.getContentType()),
                    size < 0 ? null : (long) size,
                    Part.INLINE.equalsIgnoreCase(disposition) || (contentIds != null && contentIds.length > 0)));
        }
    }

    /** The part with this section number, or empty. */
    static Optional<Part> part(jakarta.mail.Message m, String partId) throws MessagingException, IOException {
        Part current = m;
        String[] steps = partId.split("\\.");
        for (int s = 0; s < steps.length; s++) {
            int index = Integer.parseInt(steps[s]);
            if (current.isMimeType("multipart/*")) {
                Multipart multipart = (Multipart) current.getContent();
                if (index < 1 || index > multipart.getCount()) {
                    return Optional.empty();
                }
                BodyPart next = multipart.getBodyPart(index - 1);
                current = next;
            } else if (index == 1 && s == steps.length - 1) {
                return Optional.of(current); // a single-part message (or part) is its own part 1
            } else {
                return Optional.empty();
            }
        }
        return current.isMimeType("multipart/*") ? Optional.empty() : Optional.of(current);
    }

    static void copy(Part part, OutputStream out) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            in.transferTo(out);
        }
    }

    static String fileName(Part part) throws MessagingException {
        String name = part.getFileName();
        if (name == null) {
            return null;
        }
        try {
            return MimeUtility.decodeText(name);
        } catch (IOException e) {
            return name;
        }
    }

    static String baseType(String contentType) {
        try {
            return new ContentType(contentType).getBaseType().toLowerCase(java.util.Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            return "application/octet-stream";
        }
    }

    private static String text(Part part) throws MessagingException, IOException {
        Object content;
        try {
            content = part.getContent();
        } catch (IOException e) {
            // An unknown charset: read the bytes as UTF-8 rather than fail the whole message.
            try (InputStream in = part.getInputStream()) {
                content = new String(in.readNBytes(MAX_BODY_CHARS), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        String text = content instanceof String s ? s : String.valueOf(content);
        return text.length() > MAX_BODY_CHARS ? text.substring(0, MAX_BODY_CHARS) : text;
    }

    private static String header(jakarta.mail.Message m, String name) throws MessagingException {
        String[] values = m.getHeader(name);
        return values == null || values.length == 0 ? null : values[0].trim();
    }

    /** A header value as the summaries decode it: raw 8-bit UTF-8 repaired, RFC 2047 words decoded. */
    private static String decode(String value) {
        return value == null ? null : FetchConversions.decodeHeader(value);
    }

    private static List<MailAddress> addresses(Address[] list) {
        List<MailAddress> out = new ArrayList<>();
        if (list != null) {
            for (Address a : list) {
                if (a instanceof InternetAddress ia) {
                    String name = FetchConversions.personal(ia);
                    out.add(new MailAddress(name == null ? null : FetchConversions.utf8IfRaw(name), ia.getAddress()));
                } else if (a != null) {
                    out.add(new MailAddress(null, a.toString()));
                }
            }
        }
        return out;
    }

    static MailAccessException unreadable(long uid, Exception e) {
        return new MailAccessException(
                FailureCode.PROTOCOL_ERROR, "message UID " + uid + " could not be read: " + e.getMessage(), e);
    }
}
