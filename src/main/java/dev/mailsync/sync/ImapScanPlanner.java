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
}
