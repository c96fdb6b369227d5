package dev.mailsync.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The IMAP full-scan rules: compare the mirror's messages of a folder with the server's UIDs and flags
 * and say what to destroy, update and fetch. Pure: no I/O, no clock.
 */
public final class ImapScanPlanner {
    private ImapScanPlanner() {}

    /**
     * @param mirrorUidValidity the folder's UIDVALIDITY as the mirror knows it, or null if never scanned
     * @param mirror the live messages of the folder in the mirror
     * @param serverStatus what EXAMINE reported
     * @param server UID and flags of every message on the server
     */
    public static FolderScanPlan plan(
            Long mirrorUidValidity,
            List<MirrorMessageRef> mirror,
            FolderStatus serverStatus,
            List<MessageFlags> server) {
        boolean reset = mirrorUidValidity != null && mirrorUidValidity != serverStatus.uidValidity();
        List<String> destroy = new ArrayList<>();
        List<FolderScanPlan.FlagChange> flagChanges = new ArrayList<>();
        List<Long> fetch = new ArrayList<>();

        if (reset) {
            // Same UID, other UIDVALIDITY: a different message. Nothing of the old state may be reused.
            mirror.forEach(m -> destroy.add(m.id()));
            server.forEach(s -> fetch.add(s.uid()));
        } else {
            Map<Long, MirrorMessageRef> known = new HashMap<>();
            mirror.forEach(m -> known.put(m.uid(), m));
            for (MessageFlags s : server) {
                MirrorMessageRef m = known.remove(s.uid());
                if (m == null) {
                    fetch.add(s.uid());
                } else if (!m.flags().equals(s.flags())) {
                    flagChanges.add(new FolderScanPlan.FlagChange(m.id(), m.uid(), s.flags()));
                }
            }
            // Whatever the server no longer lists was expunged there.
            known.values().stream()
                    .sorted(java.util.Comparator.comparingLong(MirrorMessageRef::uid))
                    .forEach(m -> destroy.add(m.id()));
        }
        fetch.sort(Long::compare);
        return new FolderScanPlan(
                reset, List.copyOf(destroy), List.copyOf(flagChanges), List.copyOf(fetch), serverStatus);
    }

    /**
     * Whether a folder certainly did not change since the mirror last saw it: same UIDVALIDITY, UIDNEXT,
     * message count and HIGHESTMODSEQ (RFC 7162 §3.1.2.1: every flag change or expunge raises the
     * mod-sequence). Without CONDSTORE a flag change leaves all other values alone, so nothing can be
     * said and the answer is false.
     */
    public static boolean unchanged(
            Long uidValidity, Long uidNext, Long messages, Long highestModSeq, FolderStatus server) {
        return highestModSeq != null
                && server.highestModSeq() != null
                && uidValidity != null
                && uidValidity == server.uidValidity()
                && uidNext != null
                && uidNext == server.uidNext()
                && messages != null
                && messages == server.messages()
                && highestModSeq.longValue() == server.highestModSeq();
    }

    /**
     * The CONDSTORE path (RFC 7162 §3.1): instead of every message's flags the server sent only the flags
     * that changed since the stored mod-sequence, plus the list of all UIDs. Known messages absent from
     * that list were expunged; UIDs the mirror lacks are new. The result is the same plan a full scan
     * would give.
     */
    public static FolderScanPlan planChanges(
            Long mirrorUidValidity,
            List<MirrorMessageRef> mirror,
            FolderStatus serverStatus,
            List<MessageFlags> changed,
            List<Long> allUids) {
        Map<Long, java.util.Set<String>> flags = new HashMap<>();
        mirror.forEach(m -> flags.put(m.uid(), m.flags()));
        changed.forEach(c -> flags.put(c.uid(), c.flags()));
        List<MessageFlags> server = new ArrayList<>(allUids.size());
        for (long uid : allUids) {
            server.add(new MessageFlags(uid, flags.getOrDefault(uid, java.util.Set.of())));
        }
        return plan(mirrorUidValidity, mirror, serverStatus, server);
    }

    /**
     * The plan from one QRESYNC resynchronisation (RFC 7162 §3.2.5), without reading the whole folder of
     * the mirror: {@code changed} holds UID and flags of every message whose mod-sequence passed the stored
     * one (new messages included), {@code vanished} the UIDs expunged since, {@code relevant} the mirror's
     * live messages among those UIDs and {@code mirrorCount} how many live messages the mirror has in the
     * folder. When the mirror's count minus the vanished plus the new differs from the server's message
     * count, something was not reported (a server may keep too little history): the answer is empty, use
     * the CONDSTORE path instead.
     */
    public static java.util.Optional<FolderScanPlan> planQresync(
            long knownUidNext,
            long mirrorCount,
            List<MirrorMessageRef> relevant,
            FolderStatus serverStatus,
            List<MessageFlags> changed,
            List<UidRange> vanished) {
        Map<Long, MirrorMessageRef> known = new HashMap<>();
        List<String> destroy = new ArrayList<>();
        relevant.stream()
                .sorted(java.util.Comparator.comparingLong(MirrorMessageRef::uid))
                .forEach(m -> {
                    if (UidRange.anyContains(vanished, m.uid())) {
                        destroy.add(m.id());
                    } else {
                        known.put(m.uid(), m);
                    }
                });
        List<FolderScanPlan.FlagChange> flagChanges = new ArrayList<>();
        java.util.TreeSet<Long> fetch = new java.util.TreeSet<>();
        for (MessageFlags c : changed) {
            MirrorMessageRef m = known.get(c.uid());
            if (m != null) {
                if (!m.flags().equals(c.flags())) {
                    flagChanges.add(new FolderScanPlan.FlagChange(m.id(), m.uid(), c.flags()));
                }
            } else if (!UidRange.anyContains(vanished, c.uid())) {
                fetch.add(c.uid()); // new (at or above knownUidNext), or one the mirror somehow lacks
            }
        }
        if (mirrorCount - destroy.size() + fetch.size() != serverStatus.messages()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new FolderScanPlan(
                false, List.copyOf(destroy), List.copyOf(flagChanges), List.copyOf(fetch), serverStatus));
    }
}
