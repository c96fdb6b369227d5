package dev.mailsync.sync;

import java.util.function.LongSupplier;

/**
 * How an IMAP sync brings one folder up to date: the cheapest way the server allows that cannot miss a
 * change (docs/rules.md, "How an IMAP sync goes"). Pure: the caller reads STATUS and counts the mirror's
 * messages; this class only decides.
 */
public final class RefreshPlanner {
    private RefreshPlanner() {}

    /** Which way a folder is brought up to date (also the tag of the refresh metric). */
    public enum Path {
        /** STATUS showed nothing changed: the folder is not opened. */
        UNCHANGED,
        /** The mirror has no message of the folder: its UID list only, flags come with the summaries. */
        NEW,
        /** Changed flags and vanished UIDs since the stored mod-sequence, in one EXAMINE. */
        QRESYNC,
        /** Flags changed since the stored mod-sequence, plus the UID list. */
        CONDSTORE,
        /** Every message's UID and flags. */
        SCAN;

        /** The path to take when this one's answer cannot be used: a QRESYNC answer falls back to CONDSTORE. */
        public Path fallback() {
            if (this != QRESYNC) {
                throw new IllegalStateException(this + " has no fallback");
            }
            return CONDSTORE;
        }
    }

    /** What the mirror remembers of a folder from its last sync; all null for a folder never synced. */
    public record Known(Long uidValidity, Long uidNext, Long messages, Long highestModSeq) {
        public static final Known NEVER = new Known(null, null, null, null);
    }

    /** What the server offers that matters here (RFC 7162). */
    public record Server(boolean condstore, boolean qresync) {}

    /**
     * Whether STATUS can show the folder unchanged, and so is read before anything else: the server has
     * CONDSTORE and the mirror holds the folder's UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ from an earlier
     * sync.
     */
    public static boolean statusFirst(Server server, Known known) {
        return server.condstore()
                && known.highestModSeq() != null
                && known.uidValidity() != null
                && known.uidNext() != null;
    }

    /**
     * The path for a folder.
     *
     * @param status the folder's STATUS; read (non-null) exactly when {@link #statusFirst} says so
     * @param liveInMirror how many live messages of the folder the mirror holds; asked only when the status
     *     does not settle the path, so an unchanged folder costs no database read
     */
    public static Path path(Server server, Known known, FolderStatus status, LongSupplier liveInMirror) {
        boolean statusFirst = statusFirst(server, known);
        if (statusFirst != (status != null)) {
            throw new IllegalArgumentException("STATUS must be read exactly when statusFirst() says so");
        }
        if (statusFirst
                && ImapScanPlanner.unchanged(
                        known.uidValidity(), known.uidNext(), known.messages(), known.highestModSeq(), status)) {
            return Path.UNCHANGED;
        }
        if (liveInMirror.getAsLong() == 0) {
            return Path.NEW;
        }
        if (statusFirst && status.uidValidity() == known.uidValidity()) {
            return server.qresync() ? Path.QRESYNC : Path.CONDSTORE;
        }
        return Path.SCAN;
    }
}
