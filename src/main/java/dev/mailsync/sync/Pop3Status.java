package dev.mailsync.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a POP3 account shows its owner: the maildrop as the last STAT saw it, per device the messages it
 * has not acknowledged yet, the deletions the policy will make (at the next sync, or later), and the
 * warnings about stale devices. Pure: derived from stored state, the devices and "now".
 */
public record Pop3Status(
        Maildrop maildrop,
        long storedMessages,
        List<DeviceBacklog> devices,
        List<Pop3Planner.Upcoming> nextDeletions,
        int nextDeletionsTotal,
        List<AccountWarnings.Warning> warnings) {

    /** How many deletions are listed at most (the total is given separately). */
    public static final int MAX_LISTED = 20;

    public static final String STALE_DEVICE = "POP3_STALE_DEVICE";

    /** The maildrop (STAT) at {@code checkedAt}; null before the first sync. */
    public record Maildrop(int count, long sizeBytes, Instant checkedAt) {}

    public record DeviceBacklog(String deviceId, long awaitingAcknowledgement, boolean stale) {}

    public static Pop3Status of(
            Maildrop maildrop,
            List<Pop3Planner.Stored> stored,
            List<Pop3Planner.Device> devices,
            Pop3Retention retention,
            boolean deleteOnServerWhenDeletedOnDevice,
            Duration staleAfter,
            Instant now) {
        // The server as last seen: what mailsync believes is still there.
        List<Pop3Planner.Listed> lastSeen = stored.stream()
                .filter(s -> s.state() == Pop3Planner.ServerState.ON_SERVER)
                .map(s -> new Pop3Planner.Listed(0, s.uidl(), Math.max(0, s.serverSize())))
                .toList();
        Pop3Planner.Plan plan = Pop3Planner.plan(new Pop3Planner.Input(
                lastSeen,
                stored,
                devices,
                retention,
                deleteOnServerWhenDeletedOnDevice,
                Long.MAX_VALUE,
                staleAfter,
                now));
        List<Pop3Planner.Upcoming> next = new ArrayList<>();
        for (Pop3Planner.Deletion d : plan.deletions()) {
            next.add(new Pop3Planner.Upcoming(d.uidl(), d.reason(), now, List.of()));
        }
        next.addAll(plan.upcoming());
        Map<String, Long> awaiting = Pop3Planner.awaitingAcknowledgement(stored, devices);
        List<DeviceBacklog> backlog = devices.stream()
                .map(d -> new DeviceBacklog(
                        d.id(), awaiting.get(d.id()), plan.staleDevices().contains(d.id())))
                .toList();
        List<AccountWarnings.Warning> warnings = new ArrayList<>();
        boolean staleMatters = retention.policy() == Pop3RetentionPolicy.DELETE_AFTER_ALL_DEVICES;
        for (String id : staleMatters ? plan.staleDevices() : List.<String>of()) {
            warnings.add(new AccountWarnings.Warning(
                    STALE_DEVICE,
                    "Device " + id + " has not synchronised for more than " + staleAfter.toDays()
                            + " days: it no longer holds back deletions on the server, and mail deleted there"
                            + " reaches it only through mailsync's stored copy."));
        }
        return new Pop3Status(
                maildrop,
                stored.stream().filter(s -> !s.released()).count(),
                backlog,
                List.copyOf(next.subList(0, Math.min(MAX_LISTED, next.size()))),
                next.size(),
                List.copyOf(warnings));
    }
}
