package dev.mailsync.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The POP3 rules, pure: given the server's listing (UIDL + LIST), what mailsync has stored, the devices'
 * acknowledgements, the retention policy and "now", decide what to download, what to skip, what to
 * delete on the server (and why), which deletions are confirmed, which stored copies may be released,
 * and which devices are stale.
 *
 * <p>Safety rules this class guarantees (the model test checks them):
 *
 * <ul>
 *   <li>Only a message that is stored (a {@link Stored} row exists) is ever deleted;
 *   <li>a deletion needs the policy's acknowledgements: none for {@code KEEP}, which never deletes;
 *   <li>a UIDL that appears more than once in a listing is neither downloaded nor deleted (which of the
 *       messages would it name?), nor is a stored UIDL listed with another size while its stored message
 *       is taken to be on the server ({@link ServerState#ON_SERVER}: reused for another message, or the same one: it cannot tell);
 *   <li>a deletion is confirmed by a later listing without the UIDL, or — for a message whose DELE was
 *       sent and whose session ended with QUIT {@code +OK} ({@link ServerState#DELETE_SENT}) — by any
 *       later listing: RFC 1939 §6 has the server remove it at that QUIT, so the UIDL listed again names
 *       a new message (a reused UIDL), which is downloaded as such and never deleted on the old one's
 *       account (a server that did not delete gives a duplicate download, never a loss); a stored copy is released only
 *       once the server copy is confirmed gone and no device can read the message any more: a device
 *       deleted it for the whole account (its mirror row is a tombstone), or every device of the account
 *       has hidden it from its own view ({@link Plan#retire()});
 *   <li>a UIDL whose stored message is confirmed gone ({@link ServerState#GONE}) names a new message when
 *       it is listed again, whatever its size (RFC 1939 lets a server reuse a UIDL once its message is
 *       gone): it is downloaded and follows the policy as a message of its own, and never inherits the
 *       old one's acknowledgements. A UIDL thus names at most one stored message not confirmed gone (the
 *       <em>live</em> one, which the listing is matched against); confirmed-gone ones are told apart by
 *       their {@link Stored#createdSeq()}.
 * </ul>
 */
public final class Pop3Planner {
    private Pop3Planner() {}

    /** One message of the server's listing: message number in this session, UIDL, LIST size in octets. */
    public record Listed(int number, String uidl, long size) {}

    /** Where mailsync believes a stored message is on the server. */
    public enum ServerState {
        ON_SERVER,
        DELETE_SENT,
        GONE
    }

    /**
     * A stored message. {@code createdSeq} is the change number that gave devices the message (unique in
     * the account: it tells apart the stored messages of a reused UIDL); {@code
     * deletedOnDevice}: no device sees it any more (the mirror row is a tombstone: a device deleted it with
     * deleteOnServerWhenDeletedOnDevice, or it was retired); {@code serverDeleteRequested}: that delete
     * also asked for deletion on the server; {@code hiddenFrom}: the devices that deleted it from their
     * own view only (the others still see it).
     */
    public record Stored(
            String uidl,
            long createdSeq,
            Instant firstDownloadedAt,
            ServerState state,
            boolean deletedOnDevice,
            boolean serverDeleteRequested,
            boolean released,
            long serverSize,
            Set<String> hiddenFrom) {

        public Stored {
            hiddenFrom = Set.copyOf(hiddenFrom);
        }

        /** A stored message no device has hidden from its own view. */
        public Stored(
                String uidl,
                long createdSeq,
                Instant firstDownloadedAt,
                ServerState state,
                boolean deletedOnDevice,
                boolean serverDeleteRequested,
                boolean released,
                long serverSize) {
            this(
                    uidl,
                    createdSeq,
                    firstDownloadedAt,
                    state,
                    deletedOnDevice,
                    serverDeleteRequested,
                    released,
                    serverSize,
                    Set.of());
        }

        /** A stored message whose LIST size is not known ({@code serverSize} -1: the size is not checked). */
        public Stored(
                String uidl,
                long createdSeq,
                Instant firstDownloadedAt,
                ServerState state,
                boolean deletedOnDevice,
                boolean serverDeleteRequested,
                boolean released) {
            this(uidl, createdSeq, firstDownloadedAt, state, deletedOnDevice, serverDeleteRequested, released, -1);
        }

        /**
         * Whether a listed message with this UIDL can be the stored one. RFC 1939 lets a server reuse a
         * UIDL once its message is gone; a different LIST size means another message under the same UIDL,
         * which mailsync has not stored and must never delete.
         */
        boolean matches(Listed l) {
            return serverSize < 0 || serverSize == l.size();
        }

        /** The device has the message, or is done with it: it acknowledged it, or hid it from its view. */
        boolean dealtWithBy(Device d) {
            return d.ackedSeq() >= createdSeq || hiddenFrom.contains(d.id());
        }

        /** Every device of the account hid it: none sees it (an account without devices has no say yet). */
        boolean hiddenFromAll(List<Device> devices) {
            return !devices.isEmpty() && devices.stream().allMatch(d -> hiddenFrom.contains(d.id()));
        }
    }

    /** A device: what it acknowledged, and when it was last seen (last ack, or creation). */
    public record Device(String id, long ackedSeq, Instant lastSeenAt) {}

    /** Why a message is skipped instead of downloaded. */
    public enum SkipReason {
        TOO_LARGE,
        DUPLICATE_UIDL,
        /** A UIDL mailsync has stored, now on a message of another size: reused for another message. */
        UIDL_REUSED
    }

    public record Skip(String uidl, long size, SkipReason reason) {}

    /** Why a message is deleted on the server: the policy, or a device's delete. */
    public enum DeleteReason {
        DELETE_AFTER_DAYS,
        DELETE_AFTER_FIRST_DEVICE,
        DELETE_AFTER_ALL_DEVICES,
        DELETED_ON_DEVICE
    }

    public record Deletion(int number, String uidl, DeleteReason reason) {}

    /**
     * A deletion the policy will make later: {@code dueAt} for DELETE_AFTER_DAYS, else the devices that
     * still have to acknowledge it.
     */
    public record Upcoming(String uidl, DeleteReason reason, Instant dueAt, List<String> waitingFor) {}

    public record Input(
            List<Listed> listing,
            List<Stored> stored,
            List<Device> devices,
            Pop3Retention retention,
            boolean deleteOnServerWhenDeletedOnDevice,
            long maxMessageSize,
            Duration staleAfter,
            Instant now) {
        public Input {
            listing = List.copyOf(listing);
            stored = List.copyOf(stored);
            devices = List.copyOf(devices);
            Objects.requireNonNull(retention, "retention");
            Objects.requireNonNull(staleAfter, "staleAfter");
            Objects.requireNonNull(now, "now");
        }
    }

    /**
     * What to do. {@code downloads}: listed messages no stored message stands for (new UIDLs, UIDLs
     * reused after their stored message was confirmed gone, and UIDLs of messages sent DELE before a QUIT
     * {@code +OK}). {@code confirmedGone}: the UIDLs of stored messages the listing no longer has, and of
     * every message sent DELE before a QUIT {@code +OK}, listed or not (each names one stored message not
     * yet confirmed gone): the caller must store them before any download, as a download under such a
     * UIDL needs its old message confirmed gone first (a crash in between leaves a confirmed-gone old
     * message and an unstored new one, which the next plan downloads). {@code
     * retire}: stored messages (by {@link Stored#createdSeq()}) every device has hidden from its own view
     * and whose server copy is confirmed gone: their mirror rows become tombstones (no device sees them,
     * and a device added later must not get them: the server no longer has them either), so their copies
     * are released with {@code release} (also by created seq) in the same step. While the server still
     * has such a message it stays in the mirror, as the server's listing would give it to a new device.
     */
    public record Plan(
            List<Listed> downloads,
            List<Skip> skips,
            List<Deletion> deletions,
            List<String> confirmedGone,
            List<Long> retire,
            List<Long> release,
            List<String> staleDevices,
            List<Upcoming> upcoming) {}

    public static Plan plan(Input in) {
        Map<String, Integer> occurrences = new HashMap<>();
        for (Listed l : in.listing()) {
            occurrences.merge(l.uidl(), 1, Integer::sum);
        }
        // The stored message each UIDL names now: the one not confirmed gone. A UIDL whose stored
        // messages are all confirmed gone names none (a listing with it is a new message).
        Map<String, Stored> live = new LinkedHashMap<>();
        for (Stored s : in.stored()) {
            if (s.state() != ServerState.GONE && live.putIfAbsent(s.uidl(), s) != null) {
                throw new IllegalArgumentException("two stored messages not confirmed gone share the UIDL "
                        + s.uidl() + " (created seqs " + live.get(s.uidl()).createdSeq() + " and "
                        + s.createdSeq() + ")");
            }
        }
        List<String> stale = staleDevices(in.devices(), in.staleAfter(), in.now());
        List<Device> active =
                in.devices().stream().filter(d -> !stale.contains(d.id())).toList();

        List<Listed> downloads = new ArrayList<>();
        List<Skip> skips = new ArrayList<>();
        List<Deletion> deletions = new ArrayList<>();
        List<Upcoming> upcoming = new ArrayList<>();
        Set<String> duplicateReported = new TreeSet<>();
        for (Listed l : in.listing()) {
            boolean duplicate = occurrences.get(l.uidl()) > 1;
            Stored s = live.get(l.uidl());
            if (duplicate) {
                if (duplicateReported.add(l.uidl())) {
                    skips.add(new Skip(l.uidl(), l.size(), SkipReason.DUPLICATE_UIDL));
                }
                continue;
            }
            if (s == null || s.state() == ServerState.DELETE_SENT) {
                // New, or a UIDL reused after its stored message was confirmed gone — or removed at a QUIT
                // that answered +OK (RFC 1939 §6; confirmed gone below, stored before this one is): a
                // message of its own. Deleting it on the old one's account could lose mail no device has.
                if (l.size() > in.maxMessageSize()) {
                    skips.add(new Skip(l.uidl(), l.size(), SkipReason.TOO_LARGE));
                } else {
                    downloads.add(l);
                }
                continue;
            }
            if (!s.matches(l)) {
                // Not the message mailsync stored (or its size changed: no way to tell): neither stored
                // again (the UIDL still names the stored one until a listing without it) nor deleted.
                skips.add(new Skip(l.uidl(), l.size(), SkipReason.UIDL_REUSED));
                continue;
            }
            Decision d = decide(s, in, active);
            if (d.reason() != null) {
                deletions.add(new Deletion(l.number(), l.uidl(), d.reason()));
            } else if (d.upcoming() != null) {
                upcoming.add(d.upcoming());
            }
        }
        List<String> confirmed = new ArrayList<>();
        List<Long> retire = new ArrayList<>();
        List<Long> release = new ArrayList<>();
        for (Stored s : in.stored()) {
            boolean listed = occurrences.containsKey(s.uidl());
            ServerState state = s.state();
            // Only a stored message not yet confirmed gone can be confirmed; a listed UIDL whose stored
            // message is already gone names another message and leaves the gone one as it is. A message
            // sent DELE before a QUIT +OK is gone even if its UIDL is listed again (then for another one).
            if (state == ServerState.DELETE_SENT || (!listed && state != ServerState.GONE)) {
                confirmed.add(s.uidl());
                state = ServerState.GONE;
            }
            if (state != ServerState.GONE || s.released()) {
                continue;
            }
            boolean nobodySeesIt = s.deletedOnDevice();
            if (!nobodySeesIt && s.hiddenFromAll(in.devices())) {
                retire.add(s.createdSeq());
                nobodySeesIt = true;
            }
            if (nobodySeesIt) {
                release.add(s.createdSeq());
            }
        }
        upcoming.sort(Comparator.comparing(Upcoming::dueAt, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(Upcoming::uidl));
        return new Plan(downloads, skips, deletions, confirmed, retire, release, stale, upcoming);
    }

    /** Devices not seen for longer than {@code staleAfter}: they stop blocking DELETE_AFTER_ALL_DEVICES. */
    public static List<String> staleDevices(List<Device> devices, Duration staleAfter, Instant now) {
        Instant limit = now.minus(staleAfter);
        return devices.stream()
                .filter(d -> d.lastSeenAt().isBefore(limit))
                .map(Device::id)
                .sorted()
                .toList();
    }

    /**
     * How many messages each device has not acknowledged yet, by device id (for visibility); a message a
     * device hid from its own view no longer waits for it.
     */
    public static Map<String, Long> awaitingAcknowledgement(List<Stored> stored, List<Device> devices) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Device d : devices) {
            out.put(
                    d.id(),
                    stored.stream()
                            .filter(s -> !s.deletedOnDevice() && !s.released() && !s.dealtWithBy(d))
                            .count());
        }
        return out;
    }

    private record Decision(DeleteReason reason, Upcoming upcoming) {}

    private static Decision decide(Stored s, Input in, List<Device> active) {
        if (s.serverDeleteRequested() && in.deleteOnServerWhenDeletedOnDevice()) {
            return new Decision(DeleteReason.DELETED_ON_DEVICE, null);
        }
        Pop3Retention r = in.retention();
        return switch (r.policy()) {
            case KEEP -> new Decision(null, null);
            case DELETE_AFTER_DAYS -> {
                Instant due = s.firstDownloadedAt().plus(Duration.ofDays(r.days()));
                yield in.now().isBefore(due)
                        ? new Decision(null, new Upcoming(s.uidl(), DeleteReason.DELETE_AFTER_DAYS, due, List.of()))
                        : new Decision(DeleteReason.DELETE_AFTER_DAYS, null);
            }
            case DELETE_AFTER_FIRST_DEVICE -> {
                // A device that hid the message from its view had it too.
                boolean any = in.devices().stream().anyMatch(s::dealtWithBy);
                yield any
                        ? new Decision(DeleteReason.DELETE_AFTER_FIRST_DEVICE, null)
                        : new Decision(
                                null,
                                new Upcoming(
                                        s.uidl(),
                                        DeleteReason.DELETE_AFTER_FIRST_DEVICE,
                                        null,
                                        in.devices().stream()
                                                .map(Device::id)
                                                .sorted()
                                                .toList()));
            }
            case DELETE_AFTER_ALL_DEVICES -> {
                // A device that hid the message from its view does not need it any more: it never blocks.
                List<String> waiting = active.stream()
                        .filter(d -> !s.dealtWithBy(d))
                        .map(Device::id)
                        .sorted()
                        .toList();
                // With every device stale, at least one of them must have it: never delete unseen mail.
                boolean someoneHasIt = in.devices().stream().anyMatch(s::dealtWithBy);
                if (waiting.isEmpty() && someoneHasIt) {
                    yield new Decision(DeleteReason.DELETE_AFTER_ALL_DEVICES, null);
                }
                yield new Decision(
                        null,
                        new Upcoming(
                                s.uidl(),
                                DeleteReason.DELETE_AFTER_ALL_DEVICES,
                                null,
                                waiting.isEmpty()
                                        ? in.devices().stream()
                                                .map(Device::id)
                                                .sorted()
                                                .toList()
                                        : waiting));
            }
        };
    }
}
