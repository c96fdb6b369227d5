package dev.mailsync.mail.imap;

import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.MessageFlags;
import java.util.List;
import java.util.Objects;

/**
 * What one full scan of a folder found: its status as EXAMINE reported it and the UID and flags of every
 * message, sorted by UID.
 */
public record FolderScan(FolderStatus status, List<MessageFlags> messages) {
    public FolderScan {
        Objects.requireNonNull(status, "status");
        messages = List.copyOf(messages);
    }
}
