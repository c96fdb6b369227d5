package dev.mailsync.service;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.imap.ImapConnection;
import dev.mailsync.store.AccountRepository;
import dev.mailsync.store.DeviceRepository;
import dev.mailsync.store.Ids;
import dev.mailsync.store.JobStore;
import dev.mailsync.store.MirrorStore;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.Account;
import dev.mailsync.sync.MessageContent;
import dev.mailsync.sync.Protocol;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Message bodies on demand: fetched from the IMAP server when a device opens a message, never stored.
 * No database transaction is open while the server is read; a message the server no longer has answers
 * 404 and schedules a sync, so its tombstone reaches every device.
 */
@ApplicationScoped
public class MessageService {
    private static final Logger LOG = Logger.getLogger(MessageService.class);
    private static final Pattern PART_ID = Pattern.compile("[0-9]{1,4}(\\.[0-9]{1,4}){0,15}");

    private final AccountService accountService;
    private final AccountRepository accounts;
    private final DeviceRepository devices;
    private final MirrorStore mirror;
    private final JobStore jobs;
    private final MailSessions sessions;
    private final dev.mailsync.config.MailsyncConfig config;
    private final Clock clock;

    /** POP3 bodies come from mailsync's stored copy ({@link Pop3MessageService}), not from the server. */
    private final Pop3MessageService pop3;

    @Inject
    public MessageService(
            AccountService accountService,
            AccountRepository accounts,
            DeviceRepository devices,
            MirrorStore mirror,
            JobStore jobs,
            MailSessions sessions,
            dev.mailsync.config.MailsyncConfig config,
            Clock clock,
            Pop3MessageService pop3) {
        this.pop3 = pop3;
        this.accountService = accountService;
        this.accounts = accounts;
        this.devices = devices;
        this.mirror = mirror;
        this.jobs = jobs;
        this.sessions = sessions;
        this.config = config;
        this.clock = clock;
    }

    /** The message's place on the server and how to reach it. */
    private record Located(String accountId, MailEndpoint endpoint, MirrorStore.MessageTarget target) {}

    /** Writes a body to a stream; the connection is closed when it is done. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** An opened message: which message of the mirror it is, and its content. */
    public record Content(String id, String folderId, long uid, MessageContent content) {
        static Content of(MirrorStore.MessageTarget target, MessageContent content) {
            return new Content(target.id(), target.folderId(), target.uid(), content);
        }
    }

    public Content read(String owner, String accountId, String messageId) {
        if (isPop3(owner, accountId)) {
            return pop3.read(accountId, messageId);
        }
        Located at = locate(owner, accountId, messageId);
        try (ImapConnection imap = ImapConnection.open(sessions, at.endpoint())) {
            MirrorStore.MessageTarget t = at.target();
            Optional<MessageContent> content = imap.readMessage(t.folderName(), t.uidValidity(), t.uid());
            return Content.of(t, content.orElseThrow(() -> gone(at)));
        } catch (MailAccessException e) {
            throw new MailServerException(e.code(), e.getMessage());
        }
    }

    /** The raw RFC 5322 source, checked to exist before the response starts. */
    public Body raw(String owner, String accountId, String messageId) {
        if (isPop3(owner, accountId)) {
            return pop3.raw(accountId, messageId);
        }
        Located at = locate(owner, accountId, messageId);
        MirrorStore.MessageTarget t = at.target();
        ImapConnection imap = open(at);
        try {
            if (!imap.exists(t.folderName(), t.uidValidity(), t.uid())) {
                imap.close();
                throw gone(at);
            }
        } catch (MailAccessException e) {
            imap.close();
            throw new MailServerException(e.code(), e.getMessage());
        }
        return out -> {
            try (imap) {
                imap.writeRaw(t.folderName(), t.uidValidity(), t.uid(), out);
            } catch (MailAccessException e) {
                throw new IOException("mail server failed while streaming: " + e.code(), e);
            }
        };
    }

    public record Attachment(MessageContent.Attachment info, Body body) {}

    /** One MIME part, decoded, with its type and file name; checked to exist before the response starts. */
    public Attachment attachment(String owner, String accountId, String messageId, String partId) {
        if (partId == null || !PART_ID.matcher(partId).matches()) {
            throw new InvalidInputException("partId", "must be an IMAP section number such as 2 or 1.2");
        }
        if (isPop3(owner, accountId)) {
            return pop3.attachment(accountId, messageId, partId);
        }
        Located at = locate(owner, accountId, messageId);
        MirrorStore.MessageTarget t = at.target();
        ImapConnection imap = open(at);
        MessageContent.Attachment info;
        try {
            if (!imap.exists(t.folderName(), t.uidValidity(), t.uid())) {
                imap.close();
                throw gone(at);
            }
            info = imap.attachment(t.folderName(), t.uidValidity(), t.uid(), partId)
                    .orElse(null);
        } catch (MailAccessException e) {
            imap.close();
            throw new MailServerException(e.code(), e.getMessage());
        }
        if (info == null) {
            imap.close();
            throw new NotFoundException("message " + messageId + " has no part " + partId);
        }
        return new Attachment(info, out -> {
            try (imap) {
                imap.writeAttachment(t.folderName(), t.uidValidity(), t.uid(), partId, out);
            } catch (MailAccessException e) {
                throw new IOException("mail server failed while streaming: " + e.code(), e);
            }
        });
    }

    private boolean isPop3(String owner, String accountId) {
        return Tx.call(() -> accountService.owned(owner, accountId).protocol() == Protocol.POP3);
    }

    private ImapConnection open(Located at) {
        try {
            return ImapConnection.open(sessions, at.endpoint());
        } catch (MailAccessException e) {
            throw new MailServerException(e.code(), e.getMessage());
        }
    }

    private Located locate(String owner, String accountId, String messageId) {
        return Tx.call(() -> {
            Account account = accountService.owned(owner, accountId);
            if (account.protocol() != Protocol.IMAP) {
                throw new NotFoundException("message bodies of POP3 accounts are not available in this version");
            }
            MirrorStore.MessageTarget target = mirror.liveMessage(accountId, messageId)
                    .filter(t -> t.uidValidity() != null)
                    .orElseThrow(() -> new NotFoundException("no message " + messageId));
            return new Located(
                    accountId,
                    new MailEndpoint(
                            account.protocol(),
                            account.host(),
                            account.port(),
                            account.security(),
                            account.username(),
                            accounts.password(accountId)),
                    target);
        });
    }

    /** The server no longer has it: 404, and a sync so the mirror's tombstone reaches the devices. */
    private NotFoundException gone(Located at) {
        try {
            Tx.call(() -> {
                Optional<String> device = devices.anyDeviceOf(at.accountId());
                if (device.isPresent()) {
                    jobs.enqueue(new JobStore.Request(
                            Ids.next("job"),
                            at.accountId(),
                            device.get(),
                            "SCHEDULE",
                            "[]",
                            0,
                            null,
                            "",
                            config.jobs().maxAttempts(),
                            clock.instant()));
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("could not schedule the sync after a vanished message: %s", e.getMessage());
        }
        return new NotFoundException("message " + at.target().id() + " is no longer on the server");
    }
}
