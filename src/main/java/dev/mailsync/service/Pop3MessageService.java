package dev.mailsync.service;

import dev.mailsync.mail.pop3.Pop3Messages;
import dev.mailsync.store.MirrorStore;
import dev.mailsync.store.Pop3Store;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.MessageContent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Bodies of POP3 messages, read from mailsync's stored copy (the server may have deleted them long ago)
 * through the same endpoints and shapes as IMAP bodies. The copy is read in slices, never held whole,
 * and no transaction is open while a client reads.
 */
@ApplicationScoped
public class Pop3MessageService {
    private final MirrorStore mirror;
    private final Pop3Store store;

    @Inject
    public Pop3MessageService(MirrorStore mirror, Pop3Store store) {
        this.mirror = mirror;
        this.store = store;
    }

    private record Copy(MirrorStore.MessageTarget target, long size) {}

    private Copy copy(String accountId, String messageId) {
        return Tx.call(() -> {
            Optional<MirrorStore.MessageTarget> target = mirror.liveMessage(accountId, messageId);
            Optional<Long> size = store.copySize(accountId, messageId);
            if (target.isEmpty() || size.isEmpty()) {
                throw new NotFoundException("no message " + messageId);
            }
            return new Copy(target.get(), size.get());
        });
    }

    MessageService.Content read(String accountId, String messageId) {
        Copy c = copy(accountId, messageId);
        try (InputStream in = store.openCopy(accountId, messageId, c.size())) {
            return MessageService.Content.of(c.target(), Pop3Messages.content(in));
        } catch (IOException e) {
            throw new IllegalStateException("stored copy of " + messageId + " cannot be read", e);
        }
    }

    MessageService.Body raw(String accountId, String messageId) {
        Copy c = copy(accountId, messageId);
        return out -> {
            try (InputStream in = store.openCopy(accountId, messageId, c.size())) {
                in.transferTo(out);
            }
        };
    }

    MessageService.Attachment attachment(String accountId, String messageId, String partId) {
        Copy c = copy(accountId, messageId);
        MessageContent.Attachment info;
        try (InputStream in = store.openCopy(accountId, messageId, c.size())) {
            info = Pop3Messages.attachment(in, partId)
                    .orElseThrow(() -> new NotFoundException("message " + messageId + " has no part " + partId));
        } catch (IOException e) {
            throw new IllegalStateException("stored copy of " + messageId + " cannot be read", e);
        }
        return new MessageService.Attachment(info, out -> {
            try (InputStream in = store.openCopy(accountId, messageId, c.size())) {
                if (!Pop3Messages.writeAttachment(in, partId, out)) {
                    throw new IOException("part " + partId + " of " + messageId + " is gone");
                }
            }
        });
    }
}
