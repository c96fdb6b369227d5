package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailFailures;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.mail.Previews;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.FolderInfo;
import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.MessageContent;
import dev.mailsync.sync.MessageFlags;
import dev.mailsync.sync.MessageSummary;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.QuotaUsage;
import dev.mailsync.sync.UidRange;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Provider;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.ParsingException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.ResyncData;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;
import org.eclipse.angus.mail.imap.protocol.ENVELOPE;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.ListInfo;
import org.eclipse.angus.mail.imap.protocol.RFC822SIZE;
import org.eclipse.angus.mail.imap.protocol.Status;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.jboss.logging.Logger;

/**
 * One logged-in IMAP connection for a sync run: capabilities, the folder list, a full UID/flags scan of a
 * folder, message summaries by UID, and fast change detection: {@link #status} (one STATUS, the folder is
 * not opened) and {@link #changedSince} (RFC 7162 CONDSTORE). Plain Java; the sync engine opens one per
 * account and run.
 *
 * <p>Folders are opened read-only (EXAMINE), one at a time, on the one connection; a folder stays open
 * for later calls with the same name. Message data is fetched with raw {@code FETCH} commands whose
 * responses are converted right away, so no Angus message objects pile up in the folder's message cache
 * (100,000 of them took ~1.6 GB); Angus parses the responses and still sees every other untagged response
 * (EXISTS, EXPUNGE, ...). The summary {@code UID FETCH} of {@link #fetchSummaries} is the exception: its FETCH
 * responses are read in bulk from Angus's stream and parsed by {@link FetchParser} (half of a first sync's CPU
 * went into Angus's byte-by-byte reading and parsing), the other responses still go to Angus.
 *
 * <p>Not thread-safe: use an instance from one thread at a time. Every failure talking to the server is a
 * {@link MailAccessException} classified by {@link MailFailures}.
 */
public final class ImapConnection implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ImapConnection.class);

    /** Messages per {@code FETCH (UID FLAGS)} of a scan. */
    static final int SCAN_CHUNK = 5_000;
    /** Bytes of the first text/plain part fetched for a preview when the server has no PREVIEW. */
    static final int PREVIEW_PREFIX_BYTES = 2_048;

    private static final long MAX_UID = SearchResults.MAX_UID;
    private static final String[] STATUS_ITEMS = {"UIDVALIDITY", "UIDNEXT", "MESSAGES"};
    private static final String[] STATUS_ITEMS_MODSEQ = {"UIDVALIDITY", "UIDNEXT", "MESSAGES", "HIGHESTMODSEQ"};
    private static final List<String> SPECIAL_USES =
            List.of("\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", "\\All", "\\Flagged");

    private final MailEndpoint endpoint;
    private final IMAPStore store;
    private final Set<String> capabilities;
    private final boolean previewParsing;
    private IMAPFolder folder;
    private boolean closed;
    /** Summaries parsed by Angus rather than by {@link FetchParser}: for the differential test. */
    private boolean angusParsing;

    private MailSessions sessions;
    /** A second connection that does only QRESYNC, in raw commands (see {@link #qresync}); opened lazily. */
    private Store qresyncStore;

    private ImapConnection(MailEndpoint endpoint, IMAPStore store, Set<String> capabilities) {
        this.endpoint = endpoint;
        this.store = store;
        this.capabilities = capabilities;
        this.previewParsing = store instanceof PreviewImapStore;
    }

    /**
     * Connects and logs in.
     *
     * @throws IllegalArgumentException if the endpoint is not IMAP
     * @throws MailAccessException if the server cannot be reached or refuses the login
     */
    public static ImapConnection open(MailSessions sessions, MailEndpoint endpoint) throws MailAccessException {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.protocol() != Protocol.IMAP) {
            throw new IllegalArgumentException("not an IMAP endpoint: " + endpoint);
        }
        Properties props = sessions.properties(endpoint);
        Session session = Session.getInstance(props);
        session.setDebug(false);
        String protocol = MailSessions.storeProtocol(endpoint);
        try {
            session.setProvider(
                    new Provider(Provider.Type.STORE, protocol, PreviewImapStore.class.getName(), "mailsync", "1"));
        } catch (NoSuchProviderException e) {
            throw new MailAccessException(FailureCode.INTERNAL, "cannot register the IMAP store", e);
        }
        Store store = sessions.connect(endpoint, session);
        if (!(store instanceof IMAPStore imap)) {
            closeQuietly(store);
            throw new MailAccessException(
                    FailureCode.INTERNAL,
                    "Jakarta Mail returned " + store.getClass().getName() + " for IMAP");
        }
        try {
            ImapConnection connection = new ImapConnection(endpoint, imap, readCapabilities(imap));
            connection.sessions = sessions;
            return connection;
        } catch (MessagingException | RuntimeException e) {
            closeQuietly(store);
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** The capabilities announced after login, upper case (CONDSTORE, QRESYNC, MOVE, PREVIEW, ...). */
    public Set<String> capabilities() throws MailAccessException {
        ensureOpen();
        return capabilities;
    }

    /**
     * Every folder ({@code LIST "" "*"}) in the server's order, with its hierarchy delimiter and RFC 6154
     * special use. INBOX is always named {@code INBOX}.
     */
    public List<FolderInfo> listFolders() throws MailAccessException {
        ensureOpen();
        try {
            IMAPFolder via = folder != null && folder.isOpen() ? folder : (IMAPFolder) store.getDefaultFolder();
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
            throw MailFailures.classify(e, endpoint);
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

    /**
     * Examines the folder afresh and reads its status and the UID and flags of every message, in chunks of
     * {@value #SCAN_CHUNK} sequence numbers. An empty folder costs no FETCH at all.
     */
    public FolderScan scanFolder(String name) throws MailAccessException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        try {
            IMAPFolder f = examine(name, true);
            Examined examined = examined(f);
            TreeMap<Long, Set<String>> byUid = new TreeMap<>();
            for (int start = 1; start <= examined.count(); start += SCAN_CHUNK) {
                int end = (int) Math.min(examined.count(), (long) start + SCAN_CHUNK - 1);
                scanChunk(f, start, end, byUid);
            }
            List<MessageFlags> messages = new ArrayList<>(byUid.size());
            byUid.forEach((uid, flags) -> messages.add(new MessageFlags(uid, flags)));
            return new FolderScan(examined.status(messages.size(), byUid.isEmpty() ? 0 : byUid.lastKey()), messages);
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /**
     * Examines the folder afresh and reads its status and the UIDs of its messages from one {@code UID SEARCH}
     * (ESEARCH's compact answer where offered), without their flags: for a folder the mirror has no message
     * of, whose flags come with the summaries anyway. The answer's {@code changed} list is empty.
     */
    public ChangedSince uidList(String name) throws MailAccessException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        try {
            IMAPFolder f = examine(name, true);
            Examined examined = examined(f);
            int count = examined.count();
            List<Long> uids = count > 0 ? allUids(f, 2L * count + 100_000) : List.of();
            return new ChangedSince(
                    examined.status(count, uids.isEmpty() ? 0 : uids.get(uids.size() - 1)), List.of(), uids);
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** What the EXAMINE of a folder reported, read before any other command on it. */
    private record Examined(long uidValidity, long uidNext, Long highestModSeq, int count) {
        /**
         * The folder's status with this many messages. RFC 3501 requires UIDNEXT in the EXAMINE answer; for
         * a server that omits it, the next UID is at least one past the highest seen ({@code lastUid}, 0: none).
         */
        FolderStatus status(long messages, long lastUid) {
            return new FolderStatus(uidValidity, uidNext > 0 ? uidNext : lastUid + 1, messages, highestModSeq);
        }
    }

    private Examined examined(IMAPFolder f) throws MessagingException {
        Long highestModSeq = null;
        if (capabilities.contains("CONDSTORE")) {
            long modSeq = f.getHighestModSeq();
            highestModSeq = modSeq > 0 ? modSeq : null;
        }
        return new Examined(f.getUIDValidity(), f.getUIDNext(), highestModSeq, f.getMessageCount());
    }

    private static void scanChunk(IMAPFolder f, int start, int end, Map<Long, Set<String>> byUid)
            throws MessagingException {
        int n = end - start + 1;
        long[] uids = new long[n];
        @SuppressWarnings("unchecked")
        Set<String>[] flags = new Set[n];
        f.doCommand(p -> {
            // Sequence numbers, never '*': a non-UID FETCH also keeps the server from sending EXPUNGE
            // in between (RFC 3501 §7.4.1), so the numbers stay valid for the whole scan.
            Response[] responses = p.command("FETCH " + start + ":" + end + " (UID FLAGS)", null);
            for (Response r : responses) {
                if (r instanceof FetchResponse fr && fr.getNumber() >= start && fr.getNumber() <= end) {
                    int i = fr.getNumber() - start;
                    UID uid = fr.getItem(UID.class);
                    FLAGS fl = fr.getItem(FLAGS.class);
                    if (uid != null) {
                        uids[i] = uid.uid;
                    }
                    if (fl != null) {
                        flags[i] = FetchConversions.flags(fl);
                    }
                }
            }
            finish(p, responses, false);
            return null;
        });
        for (int i = 0; i < n; i++) {
            if (uids[i] > 0 && flags[i] != null) {
                byUid.put(uids[i], flags[i]);
            }
        }
    }

    /**
     * Fetches the summaries of these messages, {@code chunkSize} UIDs per command, and hands each chunk to
     * the sink, sorted by UID. UIDs that do not exist (any more) are skipped silently; a chunk in which none
     * exists is not handed over. A message whose envelope or body structure cannot be parsed still gets a
     * summary with what is known (flags, size, internal date), and a warning naming only its UID is logged.
     * Runtime exceptions thrown by the sink are passed on unchanged.
     *
     * <p>Preview: with the PREVIEW capability (RFC 8970) the server's preview is fetched in the same
     * command; otherwise the first 2 KB of the first text/plain part are fetched ({@code BODY.PEEK[n]<0.2048>},
     * one command per distinct part number in the chunk) and the preview is derived from them.
     */
    public void fetchSummaries(String folderName, List<Long> uids, int chunkSize, Consumer<List<MessageSummary>> sink)
            throws MailAccessException {
        Objects.requireNonNull(folderName, "folderName");
        Objects.requireNonNull(uids, "uids");
        Objects.requireNonNull(sink, "sink");
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        ensureOpen();
        TreeSet<Long> distinct = new TreeSet<>();
        for (Long uid : uids) {
            if (uid != null && uid > 0 && uid <= MAX_UID) {
                distinct.add(uid);
            }
        }
        if (distinct.isEmpty()) {
            return;
        }
        List<Long> sorted = new ArrayList<>(distinct);
        for (int from = 0; from < sorted.size(); from += chunkSize) {
            List<Long> chunk = sorted.subList(from, Math.min(sorted.size(), from + chunkSize));
            List<MessageSummary> summaries;
            try {
                IMAPFolder f = examine(folderName, false);
                summaries = summaryChunk(f, chunk);
            } catch (MessagingException | RuntimeException e) {
                throw MailFailures.classify(e, endpoint);
            }
            if (!summaries.isEmpty()) {
                sink.accept(summaries);
            }
        }
    }

    /**
     * Whether the server has CONDSTORE (RFC 7162), announced directly or through QRESYNC, which implies it:
     * then {@link #status} reports HIGHESTMODSEQ and {@link #changedSince} can be used. Otherwise changes are
     * found with {@link #scanFolder}.
     */
    /**
     * GETQUOTAROOT of INBOX (RFC 9208 §4.3): the STORAGE resource of its quota root, or empty when the
     * server has no QUOTA capability or sets no storage limit.
     */
    public java.util.Optional<QuotaUsage> quota() throws MailAccessException {
        if (!capabilities.contains("QUOTA")) {
            return java.util.Optional.empty();
        }
        try {
            for (jakarta.mail.Quota root : store.getQuota("INBOX")) {
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
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** The message under that UID, if the folder still has that UIDVALIDITY and the UID is there. */
    private Optional<Message> message(String name, long uidValidity, long uid) throws MessagingException {
        IMAPFolder f;
        try {
            f = examine(name, false);
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

    /** What {@link #moveMessage} did; {@code newUid} from COPYUID (RFC 4315) when the server said it. */
    public record MoveOutcome(DeleteOutcome status, Long newUid) {}

    /**
     * Moves one message to {@code target}: MOVE (RFC 6851) when offered, else COPY, the Deleted flag and
     * UID EXPUNGE of that UID (UIDPLUS); neither: UNSUPPORTED. The new UID becomes the message's identity.
     */
    public MoveOutcome moveMessage(String name, long uidValidity, long uid, String target) throws MailAccessException {
        try {
            boolean move = capabilities.contains("MOVE");
            if (!move && !capabilities.contains("UIDPLUS")) {
                return new MoveOutcome(DeleteOutcome.UNSUPPORTED, null);
            }
            closeFolderQuietly();
            IMAPFolder f = (IMAPFolder) store.getFolder(name);
            if (!f.exists()) {
                return new MoveOutcome(DeleteOutcome.NOT_FOUND, null);
            }
            f.open(Folder.READ_WRITE);
            folder = f;
            Message m = f.getUIDValidity() == uidValidity ? f.getMessageByUID(uid) : null;
            if (m == null || m.isExpunged()) {
                return new MoveOutcome(DeleteOutcome.NOT_FOUND, null);
            }
            Message[] one = {m};
            Folder to = store.getFolder(target);
            org.eclipse.angus.mail.imap.AppendUID[] uids;
            if (move) {
                uids = f.moveUIDMessages(one, to);
            } else {
                uids = f.copyUIDMessages(one, to);
                m.setFlag(Flags.Flag.DELETED, true);
                f.expunge(one); // UID EXPUNGE of this UID only
            }
            Long newUid = uids != null && uids.length == 1 && uids[0] != null ? uids[0].uid : null;
            return new MoveOutcome(DeleteOutcome.DELETED, newUid);
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
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

    /**
     * Adds a message to a folder (APPEND, with APPENDUID from UIDPLUS when offered). A message whose
     * {@code Message-ID} is already in the folder is not added twice: a job retried after a crash must not
     * duplicate what its first attempt appended ({@code UID SEARCH HEADER Message-ID}). The bytes are sent
     * as they are; flags are set in the same command.
     */
    public AppendOutcome append(String name, byte[] rfc822, Set<String> flags) throws MailAccessException {
        ensureOpen();
        try {
            closeFolderQuietly();
            IMAPFolder f = (IMAPFolder) store.getFolder(name);
            if (!f.exists()) {
                return new AppendOutcome(AppendOutcome.Status.NO_FOLDER, null, null, null);
            }
            jakarta.mail.internet.MimeMessage message = new jakarta.mail.internet.MimeMessage(
                    Session.getInstance(new Properties()), new java.io.ByteArrayInputStream(rfc822));
            String messageId = message.getHeader("Message-ID", null);
            if (messageId != null && !messageId.isBlank()) {
                f.open(Folder.READ_ONLY);
                folder = f;
                Message[] found = f.search(new jakarta.mail.search.HeaderTerm("Message-ID", messageId.trim()));
                for (Message m : found) {
                    String[] ids = m.getHeader("Message-ID");
                    if (ids != null && ids.length > 0 && ids[0].trim().equals(messageId.trim())) {
                        return new AppendOutcome(
                                AppendOutcome.Status.ALREADY_THERE, f.getUIDValidity(), f.getUID(m), null);
                    }
                }
                closeFolderQuietly();
            }
            message.setFlags(toFlags(flags), true);
            try {
                org.eclipse.angus.mail.imap.AppendUID[] uids = f.appendUIDMessages(new Message[] {message});
                org.eclipse.angus.mail.imap.AppendUID uid = uids != null && uids.length == 1 ? uids[0] : null;
                return uid == null
                        ? new AppendOutcome(AppendOutcome.Status.APPENDED, null, null, null)
                        : new AppendOutcome(AppendOutcome.Status.APPENDED, uid.uidvalidity, uid.uid, null);
            } catch (MessagingException e) {
                String refusal = refusal(e);
                if (refusal == null) {
                    throw e;
                }
                return new AppendOutcome(
                        refusal.contains("[TRYCREATE]") ? AppendOutcome.Status.NO_FOLDER : AppendOutcome.Status.REFUSED,
                        null,
                        null,
                        refusal);
            }
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** What a folder command did: done, or refused by the server with its text. */
    public record FolderOutcome(boolean done, String serverText) {}

    /** {@code CREATE name} (RFC 3501 §6.3.3); the name carries the server's hierarchy delimiter. */
    public FolderOutcome createFolder(String name) throws MailAccessException {
        return folderCommand(p -> {
            p.create(name);
            return null;
        });
    }

    /** {@code RENAME from to} (§6.3.5): the server renames the folder's inferiors with it. */
    public FolderOutcome renameFolder(String from, String to) throws MailAccessException {
        return folderCommand(p -> {
            p.rename(from, to);
            return null;
        });
    }

    /** {@code DELETE name} (§6.3.4). */
    public FolderOutcome deleteFolder(String name) throws MailAccessException {
        return folderCommand(p -> {
            p.delete(name);
            return null;
        });
    }

    /** The hierarchy delimiter the server lists for {@code name}, if the folder exists. */
    public Optional<FolderInfo> folderInfo(String name) throws MailAccessException {
        return listFolders().stream().filter(f -> sameName(f.name(), name)).findFirst();
    }

    private FolderOutcome folderCommand(IMAPFolder.ProtocolCommand command) throws MailAccessException {
        ensureOpen();
        try {
            closeFolderQuietly();
            ((IMAPFolder) store.getDefaultFolder()).doCommand(command);
            return new FolderOutcome(true, null);
        } catch (MessagingException e) {
            String refusal = refusal(e);
            if (refusal != null) {
                return new FolderOutcome(false, refusal);
            }
            throw MailFailures.classify(e, endpoint);
        } catch (RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** The server's text when it answered NO or BAD to a command (not a dropped connection); else null. */
    private static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.angus.mail.iap.CommandFailedException
                    || t instanceof org.eclipse.angus.mail.iap.BadCommandException) {
                Response r = ((ProtocolException) t).getResponse();
                String text = r != null ? r.getRest() : t.getMessage();
                return text == null || text.isBlank() ? "refused" : text.trim();
            }
        }
        return null;
    }

    /** What {@link #deleteMessage} did. */
    public enum DeleteOutcome {
        DELETED,
        NOT_FOUND,
        /** The server lacks UIDPLUS (and MOVE for a move to Trash): only a plain EXPUNGE would do, which we never send. */
        UNSUPPORTED
    }

    /**
     * Deletes one message as a device asked: moved to {@code trashFolder} (MOVE, RFC 6851; else COPY +
     * \Deleted + UID EXPUNGE), or, with {@code trashFolder} null, \Deleted + UID EXPUNGE of exactly that
     * UID (RFC 4315). Never a plain EXPUNGE, which would also remove other clients' \Deleted messages.
     */
    public DeleteOutcome deleteMessage(String name, long uidValidity, long uid, String trashFolder)
            throws MailAccessException {
        try {
            boolean uidplus = capabilities.contains("UIDPLUS");
            boolean move = capabilities.contains("MOVE");
            if (!uidplus && !(trashFolder != null && move)) {
                return DeleteOutcome.UNSUPPORTED;
            }
            closeFolderQuietly();
            IMAPFolder f = (IMAPFolder) store.getFolder(name);
            if (!f.exists()) {
                return DeleteOutcome.NOT_FOUND;
            }
            f.open(Folder.READ_WRITE);
            folder = f;
            if (f.getUIDValidity() != uidValidity) {
                return DeleteOutcome.NOT_FOUND;
            }
            Message m = f.getMessageByUID(uid);
            if (m == null || m.isExpunged()) {
                return DeleteOutcome.NOT_FOUND;
            }
            Message[] one = {m};
            if (trashFolder != null) {
                Folder trash = store.getFolder(trashFolder);
                if (move) {
                    f.moveMessages(one, trash);
                    return DeleteOutcome.DELETED;
                }
                f.copyMessages(one, trash);
            }
            m.setFlag(Flags.Flag.DELETED, true);
            f.expunge(one); // UID EXPUNGE of this UID only (UIDPLUS)
            return DeleteOutcome.DELETED;
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

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

    /** Conditional STOREs tried before the job gives up on a message that keeps changing (retried later). */
    static final int MAX_STORE_CONFLICTS = 3;

    /**
     * Adds and removes flags of one message by UID, in the folder opened read-write, and answers the
     * message's flags afterwards (from the server's FETCH response to the STORE). The folder's
     * UIDVALIDITY must still be {@code uidValidity}: otherwise the UID names another message (RFC 3501
     * §2.3.1.1) and nothing is stored. Only the named flags are sent ({@code +FLAGS}/{@code -FLAGS}, never
     * a whole flag list), so flags changed elsewhere are kept.
     *
     * <p>With CONDSTORE and {@code unchangedSince} (the folder's HIGHESTMODSEQ when the device's view was
     * built) each STORE carries {@code UNCHANGEDSINCE} (RFC 7162 §3.1.3). When the server answers
     * {@code [MODIFIED]} the message changed elsewhere since: its current flags and mod-sequence are read,
     * the device's change is merged onto them (nothing to do if they already hold it) and sent again under
     * the new mod-sequence.
     */
    public StoreOutcome storeFlags(
            String name, long uidValidity, long uid, Set<String> add, Set<String> remove, Long unchangedSince)
            throws MailAccessException {
        try {
            closeFolderQuietly();
            IMAPFolder f = (IMAPFolder) store.getFolder(name);
            if (!f.exists()) {
                return new StoreOutcome(false, Set.of());
            }
            boolean conditional = unchangedSince != null && capabilities.contains("CONDSTORE");
            if (conditional) {
                f.open(Folder.READ_WRITE, ResyncData.CONDSTORE);
            } else {
                f.open(Folder.READ_WRITE);
            }
            folder = f;
            if (f.getUIDValidity() != uidValidity) {
                return new StoreOutcome(false, Set.of());
            }
            Message m = f.getMessageByUID(uid);
            if (m == null || m.isExpunged()) {
                return new StoreOutcome(false, Set.of());
            }
            if (!conditional) {
                if (!add.isEmpty()) {
                    m.setFlags(toFlags(add), true);
                }
                if (!remove.isEmpty()) {
                    m.setFlags(toFlags(remove), false);
                }
                return new StoreOutcome(true, FetchConversions.flags(m.getFlags()));
            }
            long since = unchangedSince;
            for (int conflicts = 0; conflicts <= MAX_STORE_CONFLICTS; conflicts++) {
                FlagState state = conditionalStore(f, uid, since, "+FLAGS", add);
                if (state.stored()) {
                    FlagState second = conditionalStore(f, uid, state.modSeq(), "-FLAGS", remove);
                    state = second.stored() && second.flags() == null ? state : second;
                }
                if (state.stored()) {
                    Set<String> flags = state.flags();
                    if (flags == null) {
                        FlagState read = flagState(f, uid);
                        flags = read == null ? Set.of() : read.flags();
                    }
                    return new StoreOutcome(true, flags, conflicts);
                }
                FlagState now = flagState(f, uid);
                if (now == null) {
                    return new StoreOutcome(false, Set.of(), conflicts);
                }
                if (now.flags().containsAll(add) && remove.stream().noneMatch(now.flags()::contains)) {
                    return new StoreOutcome(true, now.flags(), conflicts + 1);
                }
                since = now.modSeq();
            }
            throw new MailAccessException(
                    FailureCode.PROTOCOL_ERROR,
                    "message " + uid + " in " + name + " kept changing during " + MAX_STORE_CONFLICTS
                            + " conditional STOREs; the job tries again later");
        } catch (MessagingException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** As {@link #storeFlags(String, long, long, Set, Set, Long)} without a mod-sequence to hold to. */
    public StoreOutcome storeFlags(String name, long uidValidity, long uid, Set<String> add, Set<String> remove)
            throws MailAccessException {
        return storeFlags(name, uidValidity, uid, add, remove, null);
    }

    /** A message's flags and mod-sequence; {@code stored} false when a conditional STORE was refused. */
    private record FlagState(boolean stored, Set<String> flags, long modSeq) {}

    /**
     * {@code UID STORE uid (UNCHANGEDSINCE since) ±FLAGS (...)}. An empty flag set stores nothing and
     * keeps {@code since}. Refused ({@code OK [MODIFIED uid]}, RFC 7162 §3.1.3): {@code stored} false.
     */
    private static FlagState conditionalStore(IMAPFolder f, long uid, long since, String op, Set<String> flags)
            throws MessagingException {
        if (flags.isEmpty()) {
            return new FlagState(true, null, since);
        }
        String command =
                "UID STORE " + uid + " (UNCHANGEDSINCE " + since + ") " + op + " (" + String.join(" ", flags) + ")";
        return (FlagState) f.doCommand(p -> {
            Response[] responses = p.command(command, null);
            Set<String> after = null;
            long modSeq = since;
            for (Response r : responses) {
                if (r instanceof FetchResponse fr
                        && fr.getItem(UID.class) != null
                        && fr.getItem(UID.class).uid == uid) {
                    FLAGS fl = fr.getItem(FLAGS.class);
                    if (fl != null) {
                        after = FetchConversions.flags(fl);
                    }
                    org.eclipse.angus.mail.imap.protocol.MODSEQ ms =
                            fr.getItem(org.eclipse.angus.mail.imap.protocol.MODSEQ.class);
                    if (ms != null) {
                        modSeq = ms.modseq;
                    }
                }
            }
            finish(p, responses, false);
            Response result = responses[responses.length - 1];
            String rest = result.getRest();
            if (rest != null && rest.toUpperCase(Locale.ROOT).contains("[MODIFIED")) {
                return new FlagState(false, null, since);
            }
            return new FlagState(true, after, modSeq);
        });
    }

    /** {@code UID FETCH uid (FLAGS MODSEQ)}; null when the UID is gone. */
    private static FlagState flagState(IMAPFolder f, long uid) throws MessagingException {
        return (FlagState) f.doCommand(p -> {
            Response[] responses = p.command("UID FETCH " + uid + " (UID FLAGS MODSEQ)", null);
            FlagState state = null;
            for (Response r : responses) {
                if (r instanceof FetchResponse fr
                        && fr.getItem(UID.class) != null
                        && fr.getItem(UID.class).uid == uid) {
                    FLAGS fl = fr.getItem(FLAGS.class);
                    org.eclipse.angus.mail.imap.protocol.MODSEQ ms =
                            fr.getItem(org.eclipse.angus.mail.imap.protocol.MODSEQ.class);
                    if (fl != null && ms != null) {
                        state = new FlagState(true, FetchConversions.flags(fl), ms.modseq);
                    }
                }
            }
            finish(p, responses, false);
            return state;
        });
    }

    private static Flags toFlags(Set<String> names) {
        Flags flags = new Flags();
        for (String name : names) {
            switch (name) {
                case "\\Seen" -> flags.add(Flags.Flag.SEEN);
                case "\\Answered" -> flags.add(Flags.Flag.ANSWERED);
                case "\\Flagged" -> flags.add(Flags.Flag.FLAGGED);
                case "\\Deleted" -> flags.add(Flags.Flag.DELETED);
                case "\\Draft" -> flags.add(Flags.Flag.DRAFT);
                default -> flags.add(name);
            }
        }
        return flags;
    }

    public boolean hasCondstore() {
        return capabilities.contains("CONDSTORE") || capabilities.contains("QRESYNC");
    }

    /**
     * The folder's status from one {@code STATUS "name" (UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ)}
     * without selecting it (HIGHESTMODSEQ only with {@link #hasCondstore()}; null otherwise, and for a
     * folder that keeps no mod-sequences). When the folder is the one open on this connection it is closed
     * first: RFC 3501 §6.3.10 discourages STATUS of the selected folder, whose values may lag. Another open
     * folder stays open. The name is sent in modified UTF-7 (RFC 3501 §5.1.3).
     */
    public FolderStatus status(String name) throws MailAccessException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        String[] items = hasCondstore() ? STATUS_ITEMS_MODSEQ : STATUS_ITEMS;
        try {
            if (folder != null && folder.isOpen() && sameName(folder.getFullName(), name)) {
                closeFolderQuietly();
            }
            IMAPFolder via = folder != null && folder.isOpen() ? folder : (IMAPFolder) store.getDefaultFolder();
            Status s = (Status) via.doCommand(p -> statusCommand(p, name, items));
            Long highestModSeq = s.highestmodseq > 0 ? s.highestmodseq : null;
            return new FolderStatus(s.uidvalidity, s.uidnext, s.total, highestModSeq);
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    private static Status statusCommand(IMAPProtocol p, String name, String[] items) throws ProtocolException {
        Argument args = new Argument();
        if (p.isEnabled("UTF8=ACCEPT")) {
            args.writeString(name, StandardCharsets.UTF_8);
        } else {
            args.writeString(BASE64MailboxEncoder.encode(name));
        }
        Argument list = new Argument();
        for (String item : items) {
            list.writeAtom(item);
        }
        args.writeArgument(list);
        Response[] responses = p.command("STATUS", args);
        List<Response> others = new ArrayList<>();
        List<IMAPResponse> statuses = new ArrayList<>();
        for (Response r : responses) {
            if (r instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals("STATUS")) {
                statuses.add(ir);
            } else {
                others.add(r);
            }
        }
        p.notifyResponseHandlers(others.toArray(Response[]::new));
        p.handleResult(responses[responses.length - 1]);
        // Only ours is expected, but a server may send unsolicited ones (NOTIFY): take the one naming the
        // folder, or the only one.
        Status match = null;
        for (IMAPResponse ir : statuses) {
            Status s = new Status(ir);
            if (match == null && (statuses.size() == 1 || (s.mbox != null && sameName(s.mbox, name)))) {
                match = s;
            }
        }
        if (match == null) {
            throw new ParsingException("no STATUS answer for the folder");
        }
        if (match.uidvalidity < 0 || match.uidnext < 0 || match.total < 0) {
            throw new ParsingException("STATUS answer without UIDVALIDITY, UIDNEXT or MESSAGES");
        }
        return match;
    }

    /**
     * What changed in a folder since {@code modSeq} (RFC 7162 CONDSTORE), in three commands on a fresh
     * read-only open: {@code EXAMINE} (with CONDSTORE, so HIGHESTMODSEQ is reported), {@code UID FETCH
     * 1:<knownUidNext-1> (UID FLAGS) (CHANGEDSINCE modSeq)} and {@code UID SEARCH RETURN (ALL) ALL} (RFC
     * 4731 ESEARCH; {@code UID SEARCH ALL} without it).
     *
     * <p>Only already-known UIDs are asked for, with an explicit upper bound: a range ending in {@code *}
     * always includes the last message (RFC 3501 §6.4.8), and any UID at or above {@code knownUidNext} in an
     * answer is dropped. No FETCH is sent when {@code knownUidNext <= 1} or the folder is empty, and no
     * SEARCH for an empty folder. New messages are the UIDs of {@link ChangedSince#allUids()} at or above
     * {@code knownUidNext}; expunged ones are the known UIDs missing from it.
     *
     * <p>QRESYNC is never enabled on this connection (Angus throws a NullPointerException on a VANISHED
     * response covering several UIDs): CONDSTORE only, so expunges arrive as plain EXPUNGE responses.
     *
     * @param modSeq the folder's HIGHESTMODSEQ at the last sync (0 reports every known message)
     * @param knownUidNext the folder's UIDNEXT at the last sync: the known UIDs are below it
     * @throws IllegalStateException without {@link #hasCondstore()}, before any I/O: the caller scans instead
     * @throws MailAccessException {@code PROTOCOL_ERROR} also when the server reports no HIGHESTMODSEQ for the
     *     folder (RFC 7162 NOMODSEQ): scan that folder instead
     */
    public ChangedSince changedSince(String name, long modSeq, long knownUidNext) throws MailAccessException {
        Objects.requireNonNull(name, "name");
        if (modSeq < 0) {
            throw new IllegalArgumentException("modSeq must not be negative, was " + modSeq);
        }
        ensureOpen();
        if (!hasCondstore()) {
            throw new IllegalStateException("the IMAP server at " + endpoint.address()
                    + " has no CONDSTORE; scan the folder instead of asking for changes");
        }
        try {
            IMAPFolder f = examineWithModSeqs(name);
            long uidValidity = f.getUIDValidity();
            long uidNext = f.getUIDNext();
            long highestModSeq = f.getHighestModSeq();
            int count = f.getMessageCount();
            if (highestModSeq <= 0) {
                throw new MailAccessException(
                        FailureCode.PROTOCOL_ERROR,
                        "the IMAP server at " + endpoint.address() + " keeps no mod-sequences for folder " + name
                                + " (NOMODSEQ); it can only be scanned");
            }
            TreeMap<Long, Set<String>> changed = new TreeMap<>();
            long upper = Math.min(knownUidNext - 1, MAX_UID);
            if (upper >= 1 && count > 0) {
                changedFlags(f, upper, modSeq, changed);
            }
            List<Long> all = count > 0 ? allUids(f, 2L * count + 100_000) : List.of();
            if (uidNext <= 0) {
                uidNext = all.isEmpty() ? 1 : all.get(all.size() - 1) + 1;
            }
            List<MessageFlags> flags = new ArrayList<>(changed.size());
            changed.forEach((uid, set) -> flags.add(new MessageFlags(uid, set)));
            return new ChangedSince(new FolderStatus(uidValidity, uidNext, count, highestModSeq), flags, all);
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    public boolean hasQresync() {
        return capabilities.contains("QRESYNC");
    }

    /**
     * What one {@code EXAMINE name (QRESYNC (uidValidity modSeq))} reported (RFC 7162 §3.2.5): the
     * folder's status, UID and flags of every message whose mod-sequence passed {@code modSeq} (new ones
     * included), and the UIDs expunged since ({@code VANISHED (EARLIER)}).
     */
    public record Qresync(FolderStatus status, List<MessageFlags> changed, List<UidRange> vanished) {}

    private static final java.util.regex.Pattern RESP_CODE =
            java.util.regex.Pattern.compile("\\[(UIDVALIDITY|UIDNEXT|HIGHESTMODSEQ) (\\d+)]");

    /**
     * Changes of a folder since {@code modSeq} in one round trip. The command runs on a second connection
     * that does nothing else, with raw commands whose responses mailsync parses itself: no Angus folder is
     * ever opened there, so Angus's VANISHED handling (a NullPointerException for a VANISHED response that
     * covers several UIDs, see product notes) cannot be reached; the main connection never enables
     * QRESYNC. Empty when the server did not resynchronise: UIDVALIDITY changed, or no mod-sequences kept
     * (NOMODSEQ) — the caller uses another path.
     *
     * @throws IllegalStateException without QRESYNC, before any I/O
     */
    public Optional<Qresync> qresync(String name, long uidValidity, long modSeq) throws MailAccessException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        if (!hasQresync()) {
            throw new IllegalStateException("the IMAP server at " + endpoint.address() + " has no QRESYNC");
        }
        try {
            IMAPFolder root = (IMAPFolder) qresyncStore().getDefaultFolder();
            return Optional.ofNullable((Qresync) root.doCommand(p -> examineQresync(p, name, uidValidity, modSeq)));
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    private Store qresyncStore() throws MailAccessException, MessagingException {
        if (qresyncStore == null) {
            if (sessions == null) {
                throw new IllegalStateException("no sessions to open a second connection with");
            }
            Session session = Session.getInstance(sessions.properties(endpoint));
            Store second = sessions.connect(endpoint, session);
            try {
                ((IMAPFolder) second.getDefaultFolder()).doCommand(p -> {
                    Response[] r = p.command("ENABLE QRESYNC", null);
                    p.handleResult(r[r.length - 1]);
                    return null;
                });
            } catch (MessagingException | RuntimeException e) {
                closeQuietly(second);
                throw e;
            }
            qresyncStore = second;
        }
        return qresyncStore;
    }

    private static Qresync examineQresync(IMAPProtocol p, String name, long uidValidity, long modSeq)
            throws ProtocolException {
        Argument args = new Argument();
        if (p.isEnabled("UTF8=ACCEPT")) {
            args.writeString(name, StandardCharsets.UTF_8);
        } else {
            args.writeString(BASE64MailboxEncoder.encode(name));
        }
        args.writeAtom("(QRESYNC (" + uidValidity + " " + modSeq + "))");
        Response[] responses = p.command("EXAMINE", args);
        // Nothing goes to Angus's response handlers: this connection has no open folder and must not get one.
        p.handleResult(responses[responses.length - 1]);
        long serverUidValidity = -1;
        long uidNext = -1;
        long highestModSeq = -1;
        long exists = -1;
        TreeMap<Long, Set<String>> changed = new TreeMap<>();
        List<UidRange> vanished = new ArrayList<>();
        for (Response r : responses) {
            if (r instanceof FetchResponse fr) {
                UID uid = fr.getItem(UID.class);
                FLAGS flags = fr.getItem(FLAGS.class);
                if (uid != null && flags != null) {
                    changed.put(uid.uid, FetchConversions.flags(flags));
                }
            } else if (r instanceof IMAPResponse ir && ir.isUnTagged()) {
                if (ir.keyEquals("VANISHED")) {
                    ir.readAtomStringList(); // (EARLIER)
                    String set = ir.readAtom();
                    if (set != null && !set.isEmpty()) {
                        vanished.addAll(UidRange.parseSet(set));
                    }
                } else if (ir.keyEquals("EXISTS")) {
                    exists = ir.getNumber();
                } else if (ir.isOK()) {
                    String line = ir.toString();
                    if (line.contains("[NOMODSEQ]")) {
                        return null;
                    }
                    java.util.regex.Matcher m = RESP_CODE.matcher(line);
                    if (m.find()) {
                        long value = Long.parseLong(m.group(2));
                        switch (m.group(1)) {
                            case "UIDVALIDITY" -> serverUidValidity = value;
                            case "UIDNEXT" -> uidNext = value;
                            default -> highestModSeq = value;
                        }
                    }
                }
            }
        }
        if (serverUidValidity != uidValidity || highestModSeq <= 0 || exists < 0 || uidNext <= 0) {
            return null;
        }
        List<MessageFlags> flags = new ArrayList<>(changed.size());
        changed.forEach((uid, set) -> flags.add(new MessageFlags(uid, set)));
        return new Qresync(new FolderStatus(serverUidValidity, uidNext, exists, highestModSeq), flags, vanished);
    }

    /** {@code UID FETCH 1:upper (UID FLAGS) (CHANGEDSINCE modSeq)}; only UIDs up to {@code upper} count. */
    private static void changedFlags(IMAPFolder f, long upper, long modSeq, Map<Long, Set<String>> into)
            throws MessagingException {
        String command =
                "UID FETCH " + (upper == 1 ? "1" : "1:" + upper) + " (UID FLAGS) (CHANGEDSINCE " + modSeq + ")";
        f.doCommand(p -> {
            Response[] responses = p.command(command, null);
            for (Response r : responses) {
                if (r instanceof FetchResponse fr) {
                    UID uid = fr.getItem(UID.class);
                    FLAGS fl = fr.getItem(FLAGS.class);
                    // An unsolicited FETCH without UID is a change made after EXAMINE: its mod-sequence is
                    // above the reported HIGHESTMODSEQ, so the next call finds it.
                    if (uid != null && fl != null && uid.uid >= 1 && uid.uid <= upper) {
                        into.put(uid.uid, FetchConversions.flags(fl));
                    }
                }
            }
            // NO is a failure here, not a partial result: a change left out would never be seen again.
            finish(p, responses, false);
            return null;
        });
    }

    /** The UIDs of every message, sorted, from one {@code UID SEARCH}. */
    @SuppressWarnings("unchecked")
    private List<Long> allUids(IMAPFolder f, long limit) throws MessagingException {
        boolean esearch = capabilities.contains("ESEARCH");
        String key = esearch ? "ESEARCH" : "SEARCH";
        String command = esearch ? "UID SEARCH RETURN (ALL) ALL" : "UID SEARCH ALL";
        return (List<Long>) f.doCommand(p -> {
            Response[] responses = p.command(command, null);
            List<Response> others = new ArrayList<>();
            List<String> answers = new ArrayList<>();
            for (Response r : responses) {
                if (r instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals(key)) {
                    answers.add(ir.getRest());
                } else {
                    others.add(r);
                }
            }
            p.notifyResponseHandlers(others.toArray(Response[]::new));
            p.handleResult(responses[responses.length - 1]);
            try {
                if (answers.size() == 1) {
                    return parseSearch(esearch, answers.get(0), limit);
                }
                // Normally exactly one; none means no match; several (split by the server) are merged.
                TreeSet<Long> uids = new TreeSet<>();
                for (String answer : answers) {
                    uids.addAll(parseSearch(esearch, answer, limit));
                    if (uids.size() > limit) {
                        throw new IllegalArgumentException("more than " + limit + " UIDs");
                    }
                }
                return List.copyOf(uids);
            } catch (IllegalArgumentException e) {
                throw new ParsingException("cannot parse the answer to " + command + ": " + e.getMessage());
            }
        });
    }

    private static List<Long> parseSearch(boolean esearch, String answer, long limit) {
        return esearch ? SearchResults.esearchAll(answer, limit) : SearchResults.search(answer, limit);
    }

    /**
     * Opens the folder afresh, read-only, with CONDSTORE enabled on the connection but never QRESYNC. The
     * {@code ENABLE CONDSTORE} is sent by us beforehand, so that Angus, which enables QRESYNC for a server
     * that announces only QRESYNC, has nothing left to enable.
     */
    private IMAPFolder examineWithModSeqs(String name) throws MessagingException {
        closeFolderQuietly();
        boolean enable = capabilities.contains("ENABLE");
        if (enable) {
            IMAPFolder root = (IMAPFolder) store.getDefaultFolder();
            root.doCommand(p -> {
                if (!p.isEnabled("CONDSTORE") && !p.isEnabled("QRESYNC")) {
                    p.enable("CONDSTORE");
                }
                return null;
            });
        }
        IMAPFolder f = (IMAPFolder) store.getFolder(name);
        // With CONDSTORE announced, EXAMINE (CONDSTORE); a QRESYNC-only server gets a plain EXAMINE after our
        // ENABLE CONDSTORE, and a server without ENABLE (RFC 4551) reports HIGHESTMODSEQ on every EXAMINE.
        if (enable && capabilities.contains("CONDSTORE")) {
            f.open(Folder.READ_ONLY, ResyncData.CONDSTORE);
        } else {
            f.open(Folder.READ_ONLY);
        }
        folder = f;
        if (Boolean.TRUE.equals(f.doCommand(p -> p.isEnabled("QRESYNC")))) {
            throw new IllegalStateException("QRESYNC got enabled on a connection that must not have it");
        }
        return f;
    }

    /**
     * Lets Angus parse the summary FETCH responses (the path before {@link FetchParser}), for comparing the
     * two; Angus also parses them when Angus's stream cannot be reached.
     */
    void parseSummariesWithAngus(boolean angus) {
        this.angusParsing = angus;
    }

    /** What one message's FETCH responses said, gathered before conversion. */
    private static final class Fetched {
        final long uid;
        Flags flags;
        /** From Angus, or else {@link #parsedEnvelope} from {@link FetchParser}. */
        ENVELOPE envelope;

        FetchParser.Envelope parsedEnvelope;
        long size = -1;
        Date internalDate;
        BodyPart structure;
        String preview;
        boolean degraded;

        Fetched(long uid) {
            this.uid = uid;
        }
    }

    private List<MessageSummary> summaryChunk(IMAPFolder f, List<Long> chunk) throws MessagingException {
        Set<Long> wanted = new HashSet<>(chunk);
        boolean serverPreview = previewParsing && capabilities.contains("PREVIEW");
        String items = "UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE" + (serverPreview ? " PREVIEW" : "");
        Map<Long, Fetched> got = new TreeMap<>();
        if (angusParsing) {
            uidFetch(f, FetchConversions.uidSet(chunk), items, wanted, got);
        } else {
            parsedUidFetch(f, FetchConversions.uidSet(chunk), items, wanted, got);
        }

        // Angus drops a FETCH response it cannot parse (a broken ENVELOPE or BODYSTRUCTURE) as a whole.
        // Ask again for the simple items of what is missing: what exists then was unparseable.
        List<Long> missing = new ArrayList<>();
        for (Long uid : chunk) {
            if (!got.containsKey(uid)) {
                missing.add(uid);
            }
        }
        if (!missing.isEmpty()) {
            Map<Long, Fetched> retry = new TreeMap<>();
            uidFetch(
                    f,
                    FetchConversions.uidSet(missing),
                    "UID FLAGS RFC822.SIZE INTERNALDATE",
                    Set.copyOf(missing),
                    retry);
            for (Fetched m : retry.values()) {
                LOG.warnf("IMAP summary of UID %d could not be parsed; keeping flags, size and dates only", m.uid);
                m.degraded = true;
                got.put(m.uid, m);
            }
        }

        Map<Long, String> previews = serverPreview ? Map.of() : previewsFromBodies(f, got.values());
        List<MessageSummary> out = new ArrayList<>(got.size());
        for (Fetched m : got.values()) {
            String preview = serverPreview ? m.preview : previews.get(m.uid);
            out.add(summary(m, preview));
        }
        return out;
    }

    private static MessageSummary summary(Fetched m, String preview) {
        Set<String> flags = FetchConversions.flags(m.flags);
        long size = Math.max(0, m.size);
        Instant internalDate = m.internalDate == null ? null : m.internalDate.toInstant();
        if (!m.degraded && m.parsedEnvelope != null) {
            try {
                FetchParser.Envelope e = m.parsedEnvelope;
                return new MessageSummary(
                        m.uid,
                        flags,
                        FetchConversions.decodeHeader(e.subject()),
                        FetchConversions.addresses(e.from()),
                        FetchConversions.addresses(e.to()),
                        FetchConversions.addresses(e.cc()),
                        e.date() == null ? null : e.date().toInstant(),
                        e.messageId() == null || e.messageId().isBlank()
                                ? null
                                : e.messageId().strip(),
                        size,
                        internalDate,
                        Previews.normalize(preview),
                        FetchConversions.hasAttachments(m.structure));
            } catch (RuntimeException ex) {
                LOG.warnf(
                        "IMAP summary of UID %d could not be converted (%s); keeping flags, size and dates only",
                        m.uid, ex.getClass().getSimpleName());
            }
        } else if (!m.degraded) {
            try {
                ENVELOPE e = m.envelope;
                return new MessageSummary(
                        m.uid,
                        flags,
                        e == null ? null : FetchConversions.decodeHeader(e.subject),
                        e == null ? List.of() : FetchConversions.addresses(e.from),
                        e == null ? List.of() : FetchConversions.addresses(e.to),
                        e == null ? List.of() : FetchConversions.addresses(e.cc),
                        e == null || e.date == null ? null : e.date.toInstant(),
                        e == null || e.messageId == null || e.messageId.isBlank() ? null : e.messageId.strip(),
                        size,
                        internalDate,
                        Previews.normalize(preview),
                        FetchConversions.hasAttachments(m.structure));
            } catch (RuntimeException ex) {
                LOG.warnf(
                        "IMAP summary of UID %d could not be converted (%s); keeping flags, size and dates only",
                        m.uid, ex.getClass().getSimpleName());
            }
        }
        return new MessageSummary(
                m.uid, flags, null, List.of(), List.of(), List.of(), null, null, size, internalDate, null, false);
    }

    /** Sends {@code UID FETCH set (items)} and merges the responses for wanted UIDs into {@code into}. */
    private static void uidFetch(IMAPFolder f, String uidSet, String items, Set<Long> wanted, Map<Long, Fetched> into)
            throws MessagingException {
        f.doCommand(p -> {
            Response[] responses = p.command("UID FETCH " + uidSet + " (" + items + ")", null);
            // Responses for the same message may be split; UID is in each one answering a UID FETCH, but an
            // unsolicited one (another client's flag change) may carry none: merge by sequence number.
            Map<Integer, Fetched> bySeq = new HashMap<>();
            for (Response r : responses) {
                if (r instanceof FetchResponse fr) {
                    UID uid = fr.getItem(UID.class);
                    Fetched m = uid != null && wanted.contains(uid.uid)
                            ? into.computeIfAbsent(uid.uid, Fetched::new)
                            : bySeq.get(fr.getNumber());
                    if (m == null) {
                        continue;
                    }
                    bySeq.put(fr.getNumber(), m);
                    merge(m, fr);
                }
            }
            finish(p, responses, true);
            return null;
        });
    }

    /**
     * {@link #uidFetch} with the FETCH responses read and parsed by {@link FetchParser} instead of Angus;
     * everything else (untagged responses for Angus, NO as a partial result, BAD and BYE as failures) is
     * the same. Falls back to {@link #uidFetch} where Angus's stream cannot be reached.
     */
    private static void parsedUidFetch(
            IMAPFolder f, String uidSet, String items, Set<Long> wanted, Map<Long, Fetched> into)
            throws MessagingException {
        Object done = f.doCommand(p -> {
            if (!(p instanceof PreviewImapStore.PreviewProtocol pp) || !pp.canReadRaw()) {
                return null;
            }
            Map<Integer, Fetched> bySeq = new HashMap<>();
            Response[] responses = pp.fetchParsed("UID FETCH " + uidSet + " (" + items + ")", fr -> {
                Fetched m = fr.uid >= 0 && wanted.contains(fr.uid)
                        ? into.computeIfAbsent(fr.uid, Fetched::new)
                        : bySeq.get(fr.seq);
                if (m != null) {
                    bySeq.put(fr.seq, m);
                    merge(m, fr);
                }
            });
            finish(p, responses, true);
            return Boolean.TRUE;
        });
        if (done == null) {
            uidFetch(f, uidSet, items, wanted, into);
        }
    }

    private static void merge(Fetched m, FetchParser.Fetch fr) {
        if (fr.flags != null) {
            m.flags = fr.flags;
        }
        if (fr.envelope != null) {
            m.parsedEnvelope = fr.envelope;
            m.envelope = null;
        }
        if (fr.hasSize) {
            m.size = fr.size;
        }
        if (fr.internalDate != null) {
            m.internalDate = fr.internalDate;
        }
        if (fr.structure != null) {
            m.structure = fr.structure;
        }
        if (fr.hasPreview) {
            m.preview = fr.preview;
        }
    }

    private static void merge(Fetched m, FetchResponse fr) {
        FLAGS flags = fr.getItem(FLAGS.class);
        if (flags != null) {
            m.flags = flags;
        }
        ENVELOPE envelope = fr.getItem(ENVELOPE.class);
        if (envelope != null) {
            m.envelope = envelope;
            m.parsedEnvelope = null;
        }
        RFC822SIZE size = fr.getItem(RFC822SIZE.class);
        if (size != null) {
            m.size = size.size;
        }
        INTERNALDATE date = fr.getItem(INTERNALDATE.class);
        if (date != null) {
            m.internalDate = date.getDate();
        }
        BODYSTRUCTURE structure = fr.getItem(BODYSTRUCTURE.class);
        if (structure != null) {
            m.structure = BodyPart.of(structure);
        }
        Map<String, Object> extensions = fr.getExtensionItems();
        if (extensions != null && extensions.containsKey(PreviewImapStore.PREVIEW)) {
            m.preview = (String) extensions.get(PreviewImapStore.PREVIEW);
        }
    }

    /**
     * Previews for a server without PREVIEW: the first {@value #PREVIEW_PREFIX_BYTES} bytes of each
     * message's first text/plain part, one {@code UID FETCH} per distinct part number.
     */
    private static Map<Long, String> previewsFromBodies(IMAPFolder f, Iterable<Fetched> messages)
            throws MessagingException {
        Map<String, List<Long>> uidsBySection = new TreeMap<>();
        Map<Long, FetchConversions.TextPart> parts = new HashMap<>();
        for (Fetched m : messages) {
            FetchConversions.TextPart part = m.degraded ? null : FetchConversions.firstPlainText(m.structure);
            if (part != null) {
                parts.put(m.uid, part);
                uidsBySection
                        .computeIfAbsent(part.section(), s -> new ArrayList<>())
                        .add(m.uid);
            }
        }
        Map<Long, String> previews = new HashMap<>();
        for (Map.Entry<String, List<Long>> e : uidsBySection.entrySet()) {
            String section = e.getKey();
            List<Long> uids = e.getValue();
            Collections.sort(uids);
            Set<Long> wanted = Set.copyOf(uids);
            String command = "UID FETCH " + FetchConversions.uidSet(uids) + " (UID BODY.PEEK[" + section + "]<0."
                    + PREVIEW_PREFIX_BYTES + ">)";
            f.doCommand(p -> {
                Response[] responses = p.command(command, null);
                for (Response r : responses) {
                    if (r instanceof FetchResponse fr) {
                        UID uid = fr.getItem(UID.class);
                        BODY body = fr.getItem(BODY.class);
                        if (uid == null || body == null || !wanted.contains(uid.uid) || body.getByteArray() == null) {
                            continue;
                        }
                        FetchConversions.TextPart part = parts.get(uid.uid);
                        byte[] data = body.getByteArray().getNewBytes();
                        try {
                            String preview = FetchConversions.previewFromPrefix(data, part.encoding(), part.charset());
                            if (preview != null) {
                                previews.put(uid.uid, preview);
                            }
                        } catch (RuntimeException ex) {
                            LOG.warnf(
                                    "no preview for UID %d: %s",
                                    uid.uid, ex.getClass().getSimpleName());
                        }
                    }
                }
                finish(p, responses, true);
                return null;
            });
        }
        return previews;
    }

    /**
     * Hands the untagged responses that are not FETCH results to Angus (EXISTS, EXPUNGE, BYE, response
     * codes) and throws for a BAD or BYE result, and for NO unless {@code noIsPartial}: a UID FETCH may end
     * in NO when some of the messages were expunged meanwhile (RFC 2180 §4.1), and what did come is still
     * good. FETCH responses are not handed over: Angus would create a cached message object for each.
     */
    private static void finish(IMAPProtocol p, Response[] responses, boolean noIsPartial) throws ProtocolException {
        List<Response> others = new ArrayList<>();
        for (Response r : responses) {
            if (!(r instanceof FetchResponse)) {
                others.add(r);
            }
        }
        p.notifyResponseHandlers(others.toArray(Response[]::new));
        Response result = responses[responses.length - 1];
        if (noIsPartial && result.isNO()) {
            LOG.debug("UID FETCH answered NO; keeping the partial result");
            return;
        }
        p.handleResult(result);
    }

    /**
     * The folder, opened read-only. An open folder of the same name is reused unless {@code fresh} asks for
     * a new EXAMINE (the only way to learn a current UIDNEXT and HIGHESTMODSEQ). With CONDSTORE the
     * EXAMINE carries the CONDSTORE parameter, so the server reports HIGHESTMODSEQ.
     */
    private IMAPFolder examine(String name, boolean fresh) throws MessagingException {
        if (folder != null && folder.isOpen() && sameName(folder.getFullName(), name) && !fresh) {
            return folder;
        }
        closeFolderQuietly();
        IMAPFolder f = (IMAPFolder) store.getFolder(name);
        if (capabilities.contains("CONDSTORE")) {
            f.open(Folder.READ_ONLY, ResyncData.CONDSTORE);
        } else {
            f.open(Folder.READ_ONLY);
        }
        folder = f;
        return f;
    }

    private static boolean sameName(String open, String wanted) {
        return open.equals(wanted) || ("INBOX".equalsIgnoreCase(open) && "INBOX".equalsIgnoreCase(wanted));
    }

    /** Closes the open folder (if any) and logs out. Never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeFolderQuietly();
        closeQuietly(store);
        if (qresyncStore != null) {
            closeQuietly(qresyncStore);
        }
    }

    private void closeFolderQuietly() {
        IMAPFolder f = folder;
        folder = null;
        if (f != null && f.isOpen()) {
            try {
                f.close(false);
            } catch (MessagingException | RuntimeException ignored) {
                // The connection is gone or going; the next command reports it.
            }
        }
    }

    private static void closeQuietly(Store store) {
        try {
            store.close();
        } catch (MessagingException | RuntimeException ignored) {
            // Closing: nothing left to report to.
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the IMAP connection to " + endpoint.address() + " is closed");
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> readCapabilities(IMAPStore store) throws MessagingException {
        IMAPFolder root = (IMAPFolder) store.getDefaultFolder();
        Map<String, String> map = (Map<String, String>) root.doCommand(IMAPProtocol::getCapabilities);
        Set<String> names = new TreeSet<>();
        if (map != null) {
            for (String key : map.keySet()) {
                // Angus keeps private markers such as __PRELOGIN__ in the map.
                if (!key.startsWith("__")) {
                    names.add(key.toUpperCase(Locale.ROOT));
                }
            }
        }
        return Collections.unmodifiableSet(names);
    }
}
