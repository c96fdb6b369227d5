package dev.mailsync.sync;

import java.time.Instant;
import java.util.Optional;

/**
 * What a device learns from one page of its account's changes (docs/rules.md, "States and deltas"): each
 * folder and message on the page is created, updated or destroyed for the device, or no news. Pure: the
 * caller reads the page and the device's view; this class only decides.
 */
public final class DeltaPlanner {
    private DeltaPlanner() {}

    /** What one row of a page is for the device. */
    public enum Fate {
        CREATED,
        UPDATED,
        DESTROYED,
        /** Nothing to tell: outside the view, the device's own change, or never delivered and gone. */
        NONE
    }

    /**
     * Where a page stands in the device's paging.
     *
     * @param deviceId the device reading
     * @param from the page's lower bound (the change number the device presented)
     * @param base what the device had for sure when the paging began: rows created after it are new to it
     * @param start the account's change number when the paging began (its first page was read then)
     * @param lastSeq the change number of the page's last row
     */
    public record Paging(String deviceId, long from, long base, long start, long lastSeq) {}

    /**
     * A folder on the page.
     *
     * @param resent on the page because the device's view was widened, not because it changed
     */
    public record FolderRow(String name, long createdSeq, Long destroyedSeq, String changedByDevice, boolean resent) {}

    /**
     * A message on the page.
     *
     * @param newerInFolder how many live messages of its folder are newer (for a view's maximum per folder)
     * @param resent on the page because the device's view was widened, not because it changed
     * @param hiddenAt the change number at which the device deleted it from its own view (POP3), or null
     */
    public record MessageRow(
            String folderName,
            Instant internalDate,
            long newerInFolder,
            long createdSeq,
            Long destroyedSeq,
            String changedByDevice,
            boolean resent,
            Long hiddenAt) {}

    /**
     * Why a presented state cannot be served, or empty: a state belongs to one device, and one ahead of the
     * account was not issued by this service (both answer 409 {@code INVALID_STATE}).
     */
    public static Optional<String> invalidState(StateToken state, String deviceId, long current) {
        if (!state.deviceId().equals(deviceId)) {
            return Optional.of("this state belongs to another device");
        }
        if (state.seq() > current) {
            return Optional.of("this state is ahead of the account; it was not issued here");
        }
        return Optional.empty();
    }

    /**
     * Whether the changes after a state are gone, their tombstones purged (410 {@code STATE_EXPIRED}: the
     * device reloads its view and goes on from the state that gives).
     */
    public static boolean expired(StateToken state, long purged) {
        return state.seq() < purged;
    }

    public static Fate folder(FolderRow f, Paging paging, DeviceView view) {
        boolean visible = ViewRules.folderVisible(view, f.name());
        if (f.resent()) {
            // came into the device's view
            return f.destroyedSeq() == null && visible ? Fate.CREATED : Fate.NONE;
        }
        if (paging.deviceId().equals(f.changedByDevice())) {
            // the device's own folder change (create, rename, delete): it knows already
            return Fate.NONE;
        }
        if (!visible) {
            return Fate.NONE;
        }
        if (f.destroyedSeq() != null) {
            return mayHaveReached(f.createdSeq(), f.destroyedSeq(), paging) ? Fate.DESTROYED : Fate.NONE;
        }
        return f.createdSeq() > paging.base() ? Fate.CREATED : Fate.UPDATED;
    }

    public static Fate message(MessageRow m, Paging paging, DeviceView view, Instant now) {
        if (m.hiddenAt() != null) {
            // The device deleted it from its own view (POP3): destroyed once, on the page that holds that
            // delete; never news again, whatever else happens to the message.
            return m.hiddenAt() > paging.from() && m.hiddenAt() <= paging.lastSeq() ? Fate.DESTROYED : Fate.NONE;
        }
        boolean visible = ViewRules.messageVisible(view, m.folderName(), m.internalDate(), m.newerInFolder(), now);
        if (m.resent()) {
            // came into the device's view
            return m.destroyedSeq() == null && visible ? Fate.CREATED : Fate.NONE;
        }
        if (m.destroyedSeq() != null) {
            return mayHaveReached(m.createdSeq(), m.destroyedSeq(), paging)
                            && !paging.deviceId().equals(m.changedByDevice())
                            && ViewRules.folderVisible(view, m.folderName())
                    ? Fate.DESTROYED
                    : Fate.NONE;
        }
        if (paging.deviceId().equals(m.changedByDevice())) {
            // the device's own change (flags, or a message it appended): it knows already
            return Fate.NONE;
        }
        if (!visible) {
            return Fate.NONE;
        }
        return m.createdSeq() > paging.base() ? Fate.CREATED : Fate.UPDATED;
    }

    private static boolean mayHaveReached(long createdSeq, long destroyedSeq, Paging paging) {
        return mayHaveReached(createdSeq, destroyedSeq, paging.base(), paging.from(), paging.start());
    }

    /**
     * Whether a destroyed row may be on the device, so that its {@code destroyed} is news: it was created
     * up to the state the paging started from ({@code base}), or it was created before this page's lower
     * bound ({@code from}) and destroyed after the paging began ({@code start}), so an earlier page of this
     * paging may have delivered it as created. A row destroyed before the paging began, or created after
     * the last page read, was never on a page. (A row created during the paging and changed again before
     * its page came may still be named although never delivered: the contract lets a device ignore an id
     * it does not know.)
     */
    static boolean mayHaveReached(long createdSeq, long destroyedSeq, long base, long from, long start) {
        return createdSeq <= base || (createdSeq <= from && destroyedSeq > start);
    }
}
