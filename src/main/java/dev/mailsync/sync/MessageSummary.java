package dev.mailsync.sync;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What a device gets of a message without its body: envelope fields, flags, size, dates, a short
 * text preview (may be null) and whether it has attachments. {@code uid} is the IMAP UID; for POP3 the
 * mirror keys the message by UIDL instead and uid is 0.
 */
public record MessageSummary(
        long uid,
        Set<String> flags,
        String subject,
        List<MailAddress> from,
        List<MailAddress> to,
        List<MailAddress> cc,
        Instant sentAt,
        String messageId,
        long size,
        Instant internalDate,
        String preview,
        boolean hasAttachments) {

    public MessageSummary {
        flags = Set.copyOf(flags);
        from = from == null ? List.of() : List.copyOf(from);
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
    }
}
