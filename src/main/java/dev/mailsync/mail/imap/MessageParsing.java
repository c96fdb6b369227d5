package dev.mailsync.mail.imap;

import dev.mailsync.sync.MessageContent;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The message parsing of the IMAP body reader ({@link MessageReader}), for messages mailsync holds
 * itself (POP3 stored copies): the same headers, bodies, attachment list and part numbering, so a device
 * reads a POP3 message exactly as an IMAP one.
 */
public final class MessageParsing {
    private MessageParsing() {}

    public static MessageContent read(jakarta.mail.Message m) throws MessagingException, IOException {
        return MessageReader.read(m);
    }

    /** The part with this section number ("1", "2.1"), or empty. */
    public static Optional<Part> part(jakarta.mail.Message m, String partId) throws MessagingException, IOException {
        return MessageReader.part(m, partId);
    }

    /** Writes a part's decoded content. */
    public static void copy(Part part, OutputStream out) throws MessagingException, IOException {
        MessageReader.copy(part, out);
    }

    public static String fileName(Part part) throws MessagingException {
        return MessageReader.fileName(part);
    }

    public static String baseType(String contentType) {
        return MessageReader.baseType(contentType);
    }
}
