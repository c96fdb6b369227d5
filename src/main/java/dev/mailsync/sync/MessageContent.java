package dev.mailsync.sync;

import java.time.Instant;
import java.util.List;

/**
 * A message as a device reads it when it opens it: headers, decoded text and HTML bodies, and the list
 * of attachments (fetched from the server on demand; mailsync stores no IMAP bodies).
 */
public record MessageContent(
        List<Header> headers,
        String subject,
        List<MailAddress> from,
        List<MailAddress> to,
        List<MailAddress> cc,
        Instant sentAt,
        String messageId,
        String text,
        String html,
        List<Attachment> attachments) {

    public record Header(String name, String value) {}

    /** One attachment: its IMAP section number ("2", "1.2"), name, type, encoded size, inline or not. */
    public record Attachment(String partId, String fileName, String contentType, Long size, boolean inline) {}
}
