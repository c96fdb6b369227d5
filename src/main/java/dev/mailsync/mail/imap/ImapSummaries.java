package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailFailures;
import dev.mailsync.mail.Previews;
import dev.mailsync.sync.MessageSummary;
import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;
import org.eclipse.angus.mail.imap.protocol.ENVELOPE;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.RFC822SIZE;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.jboss.logging.Logger;

/**
 * Message summaries by UID, on an {@link ImapSession}: one {@code UID FETCH} of flags, envelope, size,
 * dates and body structure per chunk, read in bulk and parsed by {@link FetchParser} (Angus parses them
 * where its stream cannot be reached, and for the retry of a message whose response could not be parsed),
 * and previews: the server's PREVIEW, or derived from the first bytes of the first text/plain part. Part of
 * {@link ImapConnection}.
 */
final class ImapSummaries {
    private static final Logger LOG = Logger.getLogger(ImapConnection.class);

    private static final long MAX_UID = SearchResults.MAX_UID;
    /** Summaries parsed by Angus rather than by {@link FetchParser}: for the differential test. */
    private boolean angusParsing;

    private final boolean previewParsing;
    private final ImapSession session;
    private final Set<String> capabilities;
    private final MailEndpoint endpoint;

    ImapSummaries(ImapSession session) {
        this.session = session;
        this.capabilities = session.capabilities;
        this.endpoint = session.endpoint;
        this.previewParsing = session.previewParsing;
    }

    /** Bytes of the first text/plain part fetched for a preview when the server has no PREVIEW. */
    static final int PREVIEW_PREFIX_BYTES = 2_048;

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
        session.ensureOpen();
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
                IMAPFolder f = session.examine(folderName, false);
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
            ImapSession.finish(p, responses, true);
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
            ImapSession.finish(p, responses, true);
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
                ImapSession.finish(p, responses, true);
                return null;
            });
        }
        return previews;
    }
}
