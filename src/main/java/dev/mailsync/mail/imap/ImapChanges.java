package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailFailures;
import dev.mailsync.mail.imap.ImapConnection.Qresync;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.FolderStatus;
import dev.mailsync.sync.MessageFlags;
import dev.mailsync.sync.UidRange;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.ParsingException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.ResyncData;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.Status;
import org.eclipse.angus.mail.imap.protocol.UID;

/**
 * Finding out what changed in a folder, on an {@link ImapSession}: STATUS without opening it, a full
 * UID/flags scan, the UID list alone, CONDSTORE's flags changed since a mod-sequence, and QRESYNC's changes
 * and vanished UIDs in one EXAMINE on the session's second connection. Part of {@link ImapConnection}.
 */
final class ImapChanges {
    /** Messages per {@code FETCH (UID FLAGS)} of a scan. */
    static final int SCAN_CHUNK = 5_000;

    private static final long MAX_UID = SearchResults.MAX_UID;

    private static final String[] STATUS_ITEMS = {"UIDVALIDITY", "UIDNEXT", "MESSAGES"};

    private static final String[] STATUS_ITEMS_MODSEQ = {"UIDVALIDITY", "UIDNEXT", "MESSAGES", "HIGHESTMODSEQ"};

    private final ImapSession session;
    private final IMAPStore store;
    private final Set<String> capabilities;
    private final MailEndpoint endpoint;

    ImapChanges(ImapSession session) {
        this.session = session;
        this.store = session.store;
        this.capabilities = session.capabilities;
        this.endpoint = session.endpoint;
    }

    /**
     * Examines the folder afresh and reads its status and the UID and flags of every message, in chunks of
     * {@value #SCAN_CHUNK} sequence numbers. An empty folder costs no FETCH at all.
     */
    public FolderScan scanFolder(String name) throws MailAccessException {
        Objects.requireNonNull(name, "name");
        session.ensureOpen();
        try {
            IMAPFolder f = session.examine(name, true);
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
        session.ensureOpen();
        try {
            IMAPFolder f = session.examine(name, true);
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
            ImapSession.finish(p, responses, false);
            return null;
        });
        for (int i = 0; i < n; i++) {
            if (uids[i] > 0 && flags[i] != null) {
                byUid.put(uids[i], flags[i]);
            }
        }
    }

    /**
     * The folder's status from one {@code STATUS "name" (UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ)}
     * without selecting it (HIGHESTMODSEQ only with {@link ImapSession#hasCondstore()}; null otherwise, and for a
     * folder that keeps no mod-sequences). When the folder is the one open on this connection it is closed
     * first: RFC 3501 §6.3.10 discourages STATUS of the selected folder, whose values may lag. Another open
     * folder stays open. The name is sent in modified UTF-7 (RFC 3501 §5.1.3).
     */
    public FolderStatus status(String name) throws MailAccessException {
        Objects.requireNonNull(name, "name");
        session.ensureOpen();
        String[] items = session.hasCondstore() ? STATUS_ITEMS_MODSEQ : STATUS_ITEMS;
        try {
            session.closeFolderIfNamed(name);
            IMAPFolder via = session.commandFolder();
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
            if (match == null && (statuses.size() == 1 || (s.mbox != null && ImapSession.sameName(s.mbox, name)))) {
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
     * @throws IllegalStateException without {@link ImapSession#hasCondstore()}, before any I/O: the caller scans instead
     * @throws MailAccessException {@code PROTOCOL_ERROR} also when the server reports no HIGHESTMODSEQ for the
     *     folder (RFC 7162 NOMODSEQ): scan that folder instead
     */
    public ChangedSince changedSince(String name, long modSeq, long knownUidNext) throws MailAccessException {
        Objects.requireNonNull(name, "name");
        if (modSeq < 0) {
            throw new IllegalArgumentException("modSeq must not be negative, was " + modSeq);
        }
        session.ensureOpen();
        if (!session.hasCondstore()) {
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
        session.ensureOpen();
        if (!capabilities.contains("QRESYNC")) {
            throw new IllegalStateException("the IMAP server at " + endpoint.address() + " has no QRESYNC");
        }
        try {
            IMAPFolder root = (IMAPFolder) session.qresyncStore().getDefaultFolder();
            return Optional.ofNullable((Qresync) root.doCommand(p -> examineQresync(p, name, uidValidity, modSeq)));
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
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
            ImapSession.finish(p, responses, false);
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
        session.closeFolder();
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
        session.opened(f);
        if (Boolean.TRUE.equals(f.doCommand(p -> p.isEnabled("QRESYNC")))) {
            throw new IllegalStateException("QRESYNC got enabled on a connection that must not have it");
        }
        return f;
    }
}
