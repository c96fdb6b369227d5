package dev.mailsync.mail.pop3;

import dev.mailsync.mail.imap.MessageParsing;
import dev.mailsync.sync.MailAddress;
import dev.mailsync.sync.MessageContent;
import dev.mailsync.sync.MessageSummary;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;
import jakarta.mail.util.SharedFileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Reads messages mailsync holds itself (POP3 stored copies): the summary of a freshly downloaded file,
 * and headers, bodies and parts of a stored copy, parsed like IMAP bodies ({@link MessageParsing}). A
 * message that does not parse keeps its raw bytes; only the summary fields stay empty.
 */
public final class Pop3Messages {
    /**
     * Headers in raw UTF-8 (RFC 6532, common in practice) are read as UTF-8, not byte by byte as
     * ISO-8859-1: a display name "Ann Ärger" stays that, not "Ann Ã\u0084rger".
     */
    private static final Session SESSION = Session.getInstance(utf8Headers());

    private static Properties utf8Headers() {
        Properties p = new Properties();
        p.setProperty("mail.mime.allowutf8", "true");
        return p;
    }

    static {
        dev.mailsync.mail.StreamProviders.pin();
    }

    private Pop3Messages() {}

    /**
     * The summary of a downloaded message in {@code file} ({@code size} bytes), read from disk without
     * holding it whole in memory. POP3 has no arrival date: {@code downloadedAt} stands for it.
     */
    public static MessageSummary summary(Path file, long size, Instant downloadedAt) {
        try (SharedFileInputStream in = new SharedFileInputStream(file.toFile())) {
            return summary(in, size, downloadedAt);
        } catch (IOException | RuntimeException e) {
            return unparsed(size, downloadedAt);
        }
    }

    /** The summary of a downloaded message held in memory. */
    public static MessageSummary summary(byte[] raw, Instant downloadedAt) {
        return summary(raw, raw.length, downloadedAt);
    }

    /** The summary of a downloaded message held in memory: the first {@code length} bytes of {@code raw}. */
    public static MessageSummary summary(byte[] raw, int length, Instant downloadedAt) {
        return summary(new SharedByteArrayInputStream(raw, 0, length), length, downloadedAt);
    }

    private static MessageSummary summary(InputStream in, long size, Instant downloadedAt) {
        try {
            MimeMessage m = new MimeMessage(SESSION, in);
            String subject = quietly(m::getSubject);
            List<MailAddress> from = addresses(quietly(m::getFrom));
            List<MailAddress> to = addresses(quietly(() -> m.getRecipients(Message.RecipientType.TO)));
            List<MailAddress> cc = addresses(quietly(() -> m.getRecipients(Message.RecipientType.CC)));
            java.util.Date sent = quietly(m::getSentDate);
            String messageId = quietly(() -> {
                String[] v = m.getHeader("Message-ID");
                return v == null || v.length == 0 ? null : v[0].trim();
            });
            Scan scan = new Scan();
            quietly(() -> {
                scan(m, scan, 0);
                return null;
            });
            String preview = scan.preview;
            boolean attachments = scan.attachments;
            return new MessageSummary(
                    0,
                    Set.of(),
                    subject,
                    from,
                    to,
                    cc,
                    sent == null ? null : sent.toInstant(),
                    messageId,
                    size,
                    downloadedAt,
                    preview,
                    attachments);
        } catch (MessagingException | RuntimeException e) {
            return unparsed(size, downloadedAt);
        }
    }

    /** What the summary needs from the body: the first text's start, and whether there are attachments. */
    private static final class Scan {
        String preview;
        boolean attachments;
    }

    private static final int PREVIEW_SOURCE_BYTES = 4096;

    /**
     * Walks the MIME tree reading only part headers, and the first few KB of the first text/plain part
     * (not every body, as opening a message does): a summary costs little even for a large message.
     */
    private static void scan(Part part, Scan out, int depth) throws MessagingException, IOException {
        if (depth > 20) {
            return;
        }
        if (part.isMimeType("multipart/*")) {
            jakarta.mail.Multipart mp = (jakarta.mail.Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                scan(mp.getBodyPart(i), out, depth + 1);
            }
            return;
        }
        boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || part.getFileName() != null;
        if (attachment) {
            out.attachments = true;
        } else if (out.preview == null && part.isMimeType("text/plain")) {
            try (InputStream in = part.getInputStream()) {
                byte[] head = in.readNBytes(PREVIEW_SOURCE_BYTES);
                String charset = null;
                try {
                    charset = new jakarta.mail.internet.ContentType(part.getContentType()).getParameter("charset");
                } catch (MessagingException | RuntimeException ignored) {
                    // no usable charset: UTF-8 below
                }
                java.nio.charset.Charset cs;
                try {
                    cs = charset == null
                            ? java.nio.charset.StandardCharsets.UTF_8
                            : java.nio.charset.Charset.forName(jakarta.mail.internet.MimeUtility.javaCharset(charset));
                } catch (RuntimeException e) {
                    cs = java.nio.charset.StandardCharsets.UTF_8;
                }
                String text = new String(head, cs);
                while (!text.isEmpty() && text.charAt(text.length() - 1) == '\uFFFD') {
                    text = text.substring(0, text.length() - 1); // a character cut at the end
                }
                out.preview = preview(text);
            }
        } else if (!part.isMimeType("text/*")) {
            out.attachments = true;
        }
    }

    /** The summary of a message whose headers could not be parsed at all. */
    public static MessageSummary unparsed(long size, Instant downloadedAt) {
        return new MessageSummary(
                0, Set.of(), null, List.of(), List.of(), List.of(), null, null, size, downloadedAt, null, false);
    }

    /** Headers, decoded bodies and the attachment list of a stored copy. */
    public static MessageContent content(InputStream raw) throws IOException {
        try {
            return MessageParsing.read(new MimeMessage(SESSION, raw));
        } catch (MessagingException e) {
            throw new IOException("stored message does not parse: " + e.getMessage(), e);
        }
    }

    /** One part of a stored copy, by IMAP section number. */
    public static Optional<MessageContent.Attachment> attachment(InputStream raw, String partId) throws IOException {
        try {
            Optional<Part> part = MessageParsing.part(new MimeMessage(SESSION, raw), partId);
            if (part.isEmpty()) {
                return Optional.empty();
            }
            Part p = part.get();
            return Optional.of(new MessageContent.Attachment(
                    partId,
                    MessageParsing.fileName(p),
                    MessageParsing.baseType(p.getContentType()),
                    p.getSize() < 0 ? null : (long) p.getSize(),
                    Part.INLINE.equalsIgnoreCase(p.getDisposition())));
        } catch (MessagingException e) {
            throw new IOException("stored message does not parse: " + e.getMessage(), e);
        }
    }

    /** Writes one part of a stored copy, decoded; false if the message has no such part. */
    public static boolean writeAttachment(InputStream raw, String partId, OutputStream out) throws IOException {
        try {
            Optional<Part> part = MessageParsing.part(new MimeMessage(SESSION, raw), partId);
            if (part.isEmpty()) {
                return false;
            }
            MessageParsing.copy(part.get(), out);
            return true;
        } catch (MessagingException e) {
            throw new IOException("stored message does not parse: " + e.getMessage(), e);
        }
    }

    static String preview(String text) {
        return dev.mailsync.mail.Previews.normalize(text);
    }

    @FunctionalInterface
    private interface Read<T> {
        T get() throws Exception;
    }

    /** One malformed header must not cost the others. */
    private static <T> T quietly(Read<T> read) {
        try {
            return read.get();
        } catch (Exception e) {
            return null;
        }
    }

    private static List<MailAddress> addresses(Address[] list) {
        List<MailAddress> out = new ArrayList<>();
        if (list != null) {
            for (Address a : list) {
                if (a instanceof InternetAddress ia) {
                    out.add(new MailAddress(ia.getPersonal(), ia.getAddress()));
                } else if (a != null) {
                    out.add(new MailAddress(null, a.toString()));
                }
            }
        }
        return out;
    }
}
