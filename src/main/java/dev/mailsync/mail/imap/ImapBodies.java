package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailFailures;
import dev.mailsync.sync.MessageContent;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import java.util.Optional;
import org.eclipse.angus.mail.imap.IMAPFolder;

/**
 * One message on demand, on an {@link ImapSession}: whether it is still there under its UID and
 * UIDVALIDITY, its headers, bodies and attachment list, its raw source and one attachment, streamed. Part
 * of {@link ImapConnection}.
 */
final class ImapBodies {
    private final ImapSession session;
    private final MailEndpoint endpoint;

    ImapBodies(ImapSession session) {
        this.session = session;
        this.endpoint = session.endpoint;
    }

    /** The message under that UID, if the folder still has that UIDVALIDITY and the UID is there. */
    private Optional<Message> message(String name, long uidValidity, long uid) throws MessagingException {
        IMAPFolder f;
        try {
            f = session.examine(name, false);
        } catch (jakarta.mail.FolderNotFoundException e) {
            return Optional.empty();
        }
        if (f.getUIDValidity() != uidValidity) {
            return Optional.empty();
        }
        Message m = f.getMessageByUID(uid);
        return m == null || m.isExpunged() ? Optional.empty() : Optional.of(m);
    }

    /** Whether the message is still there under that UID and UIDVALIDITY. */
    public boolean exists(String folder, long uidValidity, long uid) throws MailAccessException {
        try {
            return message(folder, uidValidity, uid).isPresent();
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** Headers, decoded bodies and attachment list of one message; empty when it is gone. */
    public Optional<MessageContent> readMessage(String folder, long uidValidity, long uid) throws MailAccessException {
        try {
            Optional<Message> m = message(folder, uidValidity, uid);
            return m.isEmpty() ? Optional.empty() : Optional.of(MessageReader.read(m.get()));
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        } catch (java.io.IOException e) {
            throw MessageReader.unreadable(uid, e);
        }
    }

    /**
     * Streams the RFC 5322 source to {@code out} as the server sends it (Angus fetches BODY[] in blocks,
     * so the message is never whole in memory). False when the message is gone.
     */
    public boolean writeRaw(String folder, long uidValidity, long uid, java.io.OutputStream out)
            throws MailAccessException, java.io.IOException {
        try {
            Optional<Message> m = message(folder, uidValidity, uid);
            if (m.isEmpty()) {
                return false;
            }
            m.get().writeTo(out);
            return true;
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** The attachment with this section number ("2", "1.2"), or empty. */
    public Optional<MessageContent.Attachment> attachment(String folder, long uidValidity, long uid, String partId)
            throws MailAccessException {
        try {
            Optional<Message> m = message(folder, uidValidity, uid);
            if (m.isEmpty()) {
                return Optional.empty();
            }
            Optional<jakarta.mail.Part> part = MessageReader.part(m.get(), partId);
            if (part.isEmpty()) {
                return Optional.empty();
            }
            jakarta.mail.Part p = part.get();
            return Optional.of(new MessageContent.Attachment(
                    partId,
                    MessageReader.fileName(p),
                    MessageReader.baseType(p.getContentType()),
                    p.getSize() < 0 ? null : (long) p.getSize(),
                    jakarta.mail.Part.INLINE.equalsIgnoreCase(p.getDisposition())));
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        } catch (java.io.IOException e) {
            throw MessageReader.unreadable(uid, e);
        }
    }

    /** Streams the decoded content of one part; false when the message or the part is gone. */
    public boolean writeAttachment(String folder, long uidValidity, long uid, String partId, java.io.OutputStream out)
            throws MailAccessException, java.io.IOException {
        try {
            Optional<Message> m = message(folder, uidValidity, uid);
            if (m.isEmpty()) {
                return false;
            }
            Optional<jakarta.mail.Part> part = MessageReader.part(m.get(), partId);
            if (part.isEmpty()) {
                return false;
            }
            MessageReader.copy(part.get(), out);
            return true;
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }
}
