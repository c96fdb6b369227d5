package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailFailures;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.sync.FolderInfo;
import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.MessageContent;
import dev.mailsync.sync.MessageFlags;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.sync.QuotaUsage;
import dev.mailsync.sync.UidRange;
import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.ListInfo;
import org.eclipse.angus.mail.imap.protocol.Status;

/**
 * One logged-in IMAP connection for a sync run or one request: the folder list and quota, change
 * detection, message summaries, one message on demand, and a device's changes written back. Plain Java;
 * the sync engine opens one per account and run.
 *
 * <p>This class is the public face; the work is done by a few classes with one job each, over one
 * {@link ImapSession} (the logged-in store, its capabilities, the one open folder):
 *
 * <ul>
 *   <li>{@link ImapChanges}: STATUS without opening a folder, the full UID/flags scan, the UID list,
 *       CONDSTORE's changes since a mod-sequence, QRESYNC on a second connection;
 *   <li>{@link ImapSummaries}: summaries by UID, parsed by {@link FetchParser}, and previews;
 *   <li>{@link ImapBodies}: one message's headers, bodies, raw source and attachments;
 *   <li>{@link ImapWriteBack}: flags, delete, move, append, folder create, rename and delete.
 * </ul>
 *
 * <p>Folders are opened read-only (EXAMINE), one at a time, on the one connection; a folder stays open
 * for later calls with the same name. Message data is fetched with raw {@code FETCH} commands whose
 * responses are converted right away, so no Angus message objects pile up in the folder's message cache
 * (100,000 of them took ~1.6 GB); Angus parses the responses and still sees every other untagged response
 * (EXISTS, EXPUNGE, ...). The summary {@code UID FETCH} is the exception: its FETCH responses are read in bulk
 * from Angus's stream and parsed by {@link FetchParser} (half of a first sync's CPU went into Angus's
 * byte-by-byte reading and parsing), the other responses still go to Angus. Angus Mail keeps the
 * connection itself (TLS, login, the IMAP response reader), folder opening, MIME parsing of a message on
 * demand, and the MOVE/COPY/APPEND commands with their UIDPLUS answers.
 *
 * <p>Not thread-safe: use an instance from one thread at a time. Every failure talking to the server is a
 * {@link MailAccessException} classified by {@link MailFailures}.
 */
public final class ImapConnection implements AutoCloseable {
    private static final List<String> SPECIAL_USES =
            List.of("\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", "\\All", "\\Flagged");

    private final ImapSession session;
    private final ImapChanges changes;
    private final ImapSummaries summaries;
    private final ImapBodies bodies;
    private final ImapWriteBack writeBack;

    private ImapConnection(ImapSession session) {
        this.session = session;
        this.changes = new ImapChanges(session);
        this.summaries = new ImapSummaries(session);
        this.bodies = new ImapBodies(session);
        this.writeBack = new ImapWriteBack(session);
    }

    /**
     * Connects and logs in.
     *
     * @throws IllegalArgumentException if the endpoint is not IMAP
     * @throws MailAccessException if the server cannot be reached or refuses the login
     */
    public static ImapConnection open(MailSessions sessions, MailEndpoint endpoint) throws MailAccessException {
        return new ImapConnection(ImapSession.open(sessions, endpoint));
    }

    /** The capabilities announced after login, upper case (CONDSTORE, QRESYNC, MOVE, PREVIEW, ...). */
    public Set<String> capabilities() throws MailAccessException {
        session.ensureOpen();
        return session.capabilities;
    }

    /**
     * Every folder ({@code LIST "" "*"}) in the server's order, with its hierarchy delimiter and RFC 6154
     * special use. INBOX is always named {@code INBOX}.
     */
    public List<FolderInfo> listFolders() throws MailAccessException {
        session.ensureOpen();
        try {
            IMAPFolder via = session.commandFolder();
            ListInfo[] infos = (ListInfo[]) via.doCommand(p -> p.list("", "*"));
            List<FolderInfo> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            if (infos != null) {
                for (ListInfo info : infos) {
                    FolderInfo f = folderInfo(info);
                    if (f != null && seen.add(f.name())) {
                        out.add(f);
                    }
                }
            }
            return out;
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, session.endpoint);
        }
    }

    static FolderInfo folderInfo(ListInfo info) {
        if (info == null || info.name == null || info.name.isEmpty()) {
            return null;
        }
        String name = "INBOX".equalsIgnoreCase(info.name) ? "INBOX" : info.name;
        String delimiter = info.separator == '\0' ? null : String.valueOf(info.separator);
        String specialUse = null;
        boolean selectable = info.canOpen;
        for (String attr : info.attrs == null ? new String[0] : info.attrs) {
            if (attr == null) {
                continue;
            }
            if (attr.equalsIgnoreCase("\\Noselect") || attr.equalsIgnoreCase("\\NonExistent")) {
                selectable = false;
            }
            for (String use : SPECIAL_USES) {
                if (specialUse == null && use.equalsIgnoreCase(attr)) {
                    specialUse = use;
                }
            }
        }
        return new FolderInfo(name, delimiter, specialUse, selectable);
    }

    /** The hierarchy delimiter the server lists for {@code name}, if the folder exists. */
    public Optional<FolderInfo> folderInfo(String name) throws MailAccessException {
        return listFolders().stream()
                .filter(f -> ImapSession.sameName(f.name(), name))
                .findFirst();
    }

    /**
     * GETQUOTAROOT of INBOX (RFC 9208 §4.3): the STORAGE resource of its quota root, or empty when the
     * server has no QUOTA capability or sets no storage limit.
     */
    public java.util.Optional<QuotaUsage> quota() throws MailAccessException {
        if (!session.capabilities.contains("QUOTA")) {
            return java.util.Optional.empty();
        }
        try {
            for (jakarta.mail.Quota root : session.store.getQuota("INBOX")) {
                if (root.resources == null) {
                    continue;
                }
                for (jakarta.mail.Quota.Resource r : root.resources) {
                    if ("STORAGE".equalsIgnoreCase(r.name) && r.limit > 0) {
                        return java.util.Optional.of(new QuotaUsage(r.usage, r.limit));
                    }
                }
            }
            return java.util.Optional.empty();
        } catch (MessagingException e) {
            throw MailFailures.classify(e, session.endpoint);
        }
    }

    /**
     * Whether the server has CONDSTORE (RFC 7162), announced directly or through QRESYNC, which implies it:
     * then {@link #status} reports HIGHESTMODSEQ and {@link #changedSince} can be used. Otherwise changes are
     * found with {@link #scanFolder}.
     */
    public boolean hasCondstore() {
        return session.hasCondstore();
    }

    /** Whether the server has QRESYNC (RFC 7162): then {@link #qresync} can be used. */
    public boolean hasQresync() {
        return session.capabilities.contains("QRESYNC");
    }

    // --- change detection: ImapChanges ---

    /** See {@link ImapChanges#status}. */
    public FolderStatus status(String name) throws MailAccessException {
        return changes.status(name);
    }

    /** See {@link ImapChanges#scanFolder}. */
    public FolderScan scanFolder(String name) throws MailAccessException {
        return changes.scanFolder(name);
    }

    /** See {@link ImapChanges#uidList}. */
    public ChangedSince uidList(String name) throws MailAccessException {
        return changes.uidList(name);
    }

    /** See {@link ImapChanges#changedSince}. */
    public ChangedSince changedSince(String name, long modSeq, long knownUidNext) throws MailAccessException {
        return changes.changedSince(name, modSeq, knownUidNext);
    }

    /**
     * What one {@code EXAMINE name (QRESYNC (uidValidity modSeq))} reported (RFC 7162 §3.2.5): the
     * folder's status, UID and flags of every message whose mod-sequence passed {@code modSeq} (new ones
     * included), and the UIDs expunged since ({@code VANISHED (EARLIER)}).
     */
    public record Qresync(FolderStatus status, List<MessageFlags> changed, List<UidRange> vanished) {}

    /** See {@link ImapChanges#qresync}. */
    public Optional<Qresync> qresync(String name, long uidValidity, long modSeq) throws MailAccessException {
        return changes.qresync(name, uidValidity, modSeq);
    }

    // --- summaries: ImapSummaries ---

    /** See {@link ImapSummaries#fetchSummaries}. */
    public void fetchSummaries(String folderName, List<Long> uids, int chunkSize, Consumer<List<MessageSummary>> sink)
            throws MailAccessException {
        summaries.fetchSummaries(folderName, uids, chunkSize, sink);
    }

    /** For the differential test of the two summary parsers: see {@link ImapSummaries#parseSummariesWithAngus}. */
    void parseSummariesWithAngus(boolean angus) {
        summaries.parseSummariesWithAngus(angus);
    }

    // --- one message on demand: ImapBodies ---

    /** See {@link ImapBodies#exists}. */
    public boolean exists(String folder, long uidValidity, long uid) throws MailAccessException {
        return bodies.exists(folder, uidValidity, uid);
    }

    /** See {@link ImapBodies#readMessage}. */
    public Optional<MessageContent> readMessage(String folder, long uidValidity, long uid) throws MailAccessException {
        return bodies.readMessage(folder, uidValidity, uid);
    }

    /** See {@link ImapBodies#writeRaw}. */
    public boolean writeRaw(String folder, long uidValidity, long uid, java.io.OutputStream out)
            throws MailAccessException, java.io.IOException {
        return bodies.writeRaw(folder, uidValidity, uid, out);
    }

    /** See {@link ImapBodies#attachment}. */
    public Optional<MessageContent.Attachment> attachment(String folder, long uidValidity, long uid, String partId)
            throws MailAccessException {
        return bodies.attachment(folder, uidValidity, uid, partId);
    }

    /** See {@link ImapBodies#writeAttachment}. */
    public boolean writeAttachment(String folder, long uidValidity, long uid, String partId, java.io.OutputStream out)
            throws MailAccessException, java.io.IOException {
        return bodies.writeAttachment(folder, uidValidity, uid, partId, out);
    }

    // --- a device's changes: ImapWriteBack ---

    /**
     * What {@link #storeFlags} did: {@code found} false when the UID is gone or the folder's UIDVALIDITY
     * changed; {@code flags} afterwards; {@code conflicts}: how many conditional STOREs the server refused
     * because the message had changed elsewhere (each was merged and sent again).
     */
    public record StoreOutcome(boolean found, Set<String> flags, int conflicts) {
        public StoreOutcome(boolean found, Set<String> flags) {
            this(found, flags, 0);
        }
    }

    /** See {@link ImapWriteBack#storeFlags(String, long, long, Set, Set, Long)}. */
    public StoreOutcome storeFlags(
            String name, long uidValidity, long uid, Set<String> add, Set<String> remove, Long unchangedSince)
            throws MailAccessException {
        return writeBack.storeFlags(name, uidValidity, uid, add, remove, unchangedSince);
    }

    /** As {@link #storeFlags(String, long, long, Set, Set, Long)} without a mod-sequence to hold to. */
    public StoreOutcome storeFlags(String name, long uidValidity, long uid, Set<String> add, Set<String> remove)
            throws MailAccessException {
        return writeBack.storeFlags(name, uidValidity, uid, add, remove, null);
    }

    /** What {@link #deleteMessage} did. */
    public enum DeleteOutcome {
        DELETED,
        NOT_FOUND,
        /** The server lacks UIDPLUS (and MOVE for a move to Trash): only a plain EXPUNGE would do, which we never send. */
        UNSUPPORTED
    }

    /** See {@link ImapWriteBack#deleteMessage}. */
    public DeleteOutcome deleteMessage(String name, long uidValidity, long uid, String trashFolder)
            throws MailAccessException {
        return writeBack.deleteMessage(name, uidValidity, uid, trashFolder);
    }

    /** What {@link #moveMessage} did; {@code newUid} from COPYUID (RFC 4315) when the server said it. */
    public record MoveOutcome(DeleteOutcome status, Long newUid) {}

    /** See {@link ImapWriteBack#moveMessage}. */
    public MoveOutcome moveMessage(String name, long uidValidity, long uid, String target) throws MailAccessException {
        return writeBack.moveMessage(name, uidValidity, uid, target);
    }

    /** What {@link #append} did: the UIDVALIDITY and, with UIDPLUS's APPENDUID, the new UID. */
    public record AppendOutcome(Status status, Long uidValidity, Long uid, String serverText) {
        public enum Status {
            APPENDED,
            /** A message with the same Message-ID header is in the folder already (a retried APPEND). */
            ALREADY_THERE,
            /** The folder is gone from the server ({@code NO [TRYCREATE]} or not listed). */
            NO_FOLDER,
            /** The server answered NO or BAD (too big, over quota, malformed): {@code serverText} says why. */
            REFUSED
        }
    }

    /** See {@link ImapWriteBack#append}. */
    public AppendOutcome append(String name, byte[] rfc822, Set<String> flags) throws MailAccessException {
        return writeBack.append(name, rfc822, flags);
    }

    /** What a folder command did: done, or refused by the server with its text. */
    public record FolderOutcome(boolean done, String serverText) {}

    /** See {@link ImapWriteBack#createFolder}. */
    public FolderOutcome createFolder(String name) throws MailAccessException {
        return writeBack.createFolder(name);
    }

    /** See {@link ImapWriteBack#renameFolder}. */
    public FolderOutcome renameFolder(String from, String to) throws MailAccessException {
        return writeBack.renameFolder(from, to);
    }

    /** See {@link ImapWriteBack#deleteFolder}. */
    public FolderOutcome deleteFolder(String name) throws MailAccessException {
        return writeBack.deleteFolder(name);
    }

    /** Closes the open folder (if any) and logs out. Never throws. */
    @Override
    public void close() {
        session.close();
    }
}
