package dev.mailsync.sync.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.Pop3Planner;
import dev.mailsync.sync.Pop3Planner.ServerState;
import dev.mailsync.sync.Pop3Retention;
import dev.mailsync.sync.Pop3RetentionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A model of the POP3 engine around the real planner: a server with RFC 1939 semantics (DELE takes effect
 * only at a completed QUIT), mailsync's store written step by step as the engine does, devices that
 * acknowledge, delete messages from their own view (or, with deleteOnServerWhenDeletedOnDevice, for the
 * whole account) and join the account, a clock, and crashes at every step of a sync. The server repeats
 * UIDLs: twice at once (never allowed by RFC 1939), for a new message of another size once the old one is
 * gone, for a new message of the very same size once mailsync has seen the old one gone, and for a new
 * message of the very same size once mailsync sent the old one DELE and QUIT answered {@code +OK} (before
 * any listing without it). Besides the RFC 1939 server, two others: one whose DELE takes effect at once,
 * without QUIT (GreenMail), and a non-compliant one that answers QUIT {@code +OK} and deletes nothing.
 * Random interleavings must never lose a message (off the server without a readable stored copy while a
 * device still sees it), never send DELE for a message the policy does not yet allow to delete, for
 * another message than the one stored, or again for one whose DELE a QUIT {@code +OK} committed, and a
 * complete sync must leave no message with a reused UIDL behind.
 */
class Pop3SafetyModelTest {
    private static final Duration STALE = Duration.ofDays(30);
    private static final Pop3Retention[] POLICIES = {
        Pop3Retention.KEEP,
        new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_DAYS, 3),
        new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_FIRST_DEVICE, null),
        new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_ALL_DEVICES, null)
    };

    /** How the server treats DELE. */
    enum ServerKind {
        /** RFC 1939: marked messages are removed when QUIT answers +OK, never otherwise. */
        RFC1939,
        /** GreenMail: DELE removes the message at once, whether or not QUIT follows. */
        DELE_AT_ONCE,
        /** Non-compliant: QUIT answers +OK and nothing is removed. */
        NEVER_REMOVES
    }

    /** One message on the server: an identity of its own, a UIDL (which may repeat) and its size. */
    private record ServerMessage(int id, String uidl, long size) {}

    /** A stored copy and the server message it came from. */
    private static final class Copy {
        final String uidl;
        final int sourceId;
        final long serverSize;
        final long seq;
        final Instant firstDownloadedAt;
        ServerState state = ServerState.ON_SERVER;
        /** No device sees it: deleted for the whole account, or retired once every device hid it. */
        boolean deletedOnDevice;

        boolean serverDeleteRequested;
        boolean released;
        /** Devices that deleted it from their own view only. */
        final Set<String> hiddenFrom = new HashSet<>();

        Copy(String uidl, int sourceId, long serverSize, long seq, Instant at) {
            this.uidl = uidl;
            this.sourceId = sourceId;
            this.serverSize = serverSize;
            this.seq = seq;
            this.firstDownloadedAt = at;
        }
    }

    private static final class Model {
        final Pop3Retention retention;
        final boolean deleteOnDeviceDelete;
        final ServerKind serverKind;
        final List<ServerMessage> server = new ArrayList<>();
        /** By created seq; a UIDL may have several copies, at most one of them not confirmed gone. */
        final Map<Long, Copy> store = new LinkedHashMap<>();

        final Map<String, Long> acked = new LinkedHashMap<>();
        final Map<String, Instant> lastSeen = new HashMap<>();
        final Set<Integer> removedByOthers = new HashSet<>();
        final Set<Integer> everOnServer = new HashSet<>();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        long seq;
        int nextId;

        Model(Pop3Retention retention, boolean deleteOnDeviceDelete, int devices, ServerKind serverKind) {
            this.retention = retention;
            this.deleteOnDeviceDelete = deleteOnDeviceDelete;
            this.serverKind = serverKind;
            for (int i = 0; i < devices; i++) {
                acked.put("d" + i, 0L);
                lastSeen.put("d" + i, now);
            }
        }

        void newMail(boolean repeatUidl) {
            int id = nextId++;
            String uidl = repeatUidl && !server.isEmpty() ? server.get(0).uidl() : "u" + id;
            server.add(new ServerMessage(id, uidl, 100 + id));
            everOnServer.add(id);
        }

        /** How a UIDL the server no longer has is given to new mail. */
        enum Reuse {
            /** One whose copies mailsync has all seen gone, with the size of the last one. */
            CONFIRMED_GONE,
            /** One whose copy mailsync still takes for being on the server, with another size. */
            NOT_SEEN_GONE,
            /**
             * One whose copy mailsync sent DELE, committed by QUIT +OK, and has not listed since, with the
             * very same size: only the committed DELE tells the new message apart.
             */
            DELETE_SENT
        }

        /**
         * New mail under a UIDL the server no longer has (RFC 1939 allows it: the old message is gone), as
         * {@code reuse} says. Plain new mail when there is no such UIDL.
         */
        void reusedUidl(Reuse reuse, int which) {
            Set<String> onServer = new HashSet<>();
            server.forEach(m -> onServer.add(m.uidl()));
            List<Copy> candidates = new ArrayList<>();
            for (Copy c : store.values()) {
                boolean free = !onServer.contains(c.uidl) && candidates.stream().noneMatch(o -> o.uidl.equals(c.uidl));
                boolean fits = switch (reuse) {
                    case CONFIRMED_GONE -> live(c.uidl) == null && c == last(c.uidl);
                    case NOT_SEEN_GONE -> live(c.uidl) == c;
                    case DELETE_SENT -> live(c.uidl) == c && c.state == ServerState.DELETE_SENT;
                };
                if (free && fits) {
                    candidates.add(c);
                }
            }
            if (candidates.isEmpty()) {
                newMail(false);
                return;
            }
            Copy old = candidates.get(which % candidates.size());
            int id = nextId++;
            server.add(new ServerMessage(id, old.uidl, reuse == Reuse.NOT_SEEN_GONE ? 100 + id : old.serverSize));
            everOnServer.add(id);
        }

        /** The copy the UIDL names: the one not confirmed gone, if any. */
        Copy live(String uidl) {
            List<Copy> live = store.values().stream()
                    .filter(c -> c.uidl.equals(uidl) && c.state != ServerState.GONE)
                    .toList();
            assertThat(live)
                    .as("at most one copy of %s not confirmed gone", uidl)
                    .hasSizeLessThanOrEqualTo(1);
            return live.isEmpty() ? null : live.get(0);
        }

        Copy last(String uidl) {
            Copy last = null;
            for (Copy c : store.values()) {
                if (c.uidl.equals(uidl)) {
                    last = c;
                }
            }
            return last;
        }

        List<Pop3Planner.Device> devices() {
            return acked.keySet().stream()
                    .map(d -> new Pop3Planner.Device(d, acked.get(d), lastSeen.get(d)))
                    .toList();
        }

        /** A sync that stops ("crashes") after {@code steps} of its steps; a large number runs it whole. */
        void sync(int steps) {
            List<Pop3Planner.Listed> listing = new ArrayList<>();
            for (int i = 0; i < server.size(); i++) {
                listing.add(new Pop3Planner.Listed(
                        i + 1, server.get(i).uidl(), server.get(i).size()));
            }
            List<Pop3Planner.Stored> stored = store.values().stream()
                    .map(c -> new Pop3Planner.Stored(
                            c.uidl,
                            c.seq,
                            c.firstDownloadedAt,
                            c.state,
                            c.deletedOnDevice,
                            c.serverDeleteRequested,
                            c.released,
                            c.serverSize,
                            c.hiddenFrom))
                    .toList();
            Pop3Planner.Plan plan = Pop3Planner.plan(new Pop3Planner.Input(
                    listing, stored, devices(), retention, deleteOnDeviceDelete, 1_000, STALE, now));
            int step = 0;
            if (step++ >= steps) {
                return;
            }
            for (String uidl : plan.confirmedGone()) {
                Copy c = live(uidl);
                assertThat(c).as("confirmed: a copy not confirmed gone yet").isNotNull();
                c.state = ServerState.GONE;
            }
            for (long created : plan.retire()) {
                Copy c = store.get(created);
                assertThat(c.state).isEqualTo(ServerState.GONE);
                assertThat(c.deletedOnDevice).isFalse();
                assertThat(c.hiddenFrom)
                        .as("retired only once every device hid it")
                        .containsAll(acked.keySet());
                c.deletedOnDevice = true;
            }
            for (long created : plan.release()) {
                Copy c = store.get(created);
                assertThat(c.state).isEqualTo(ServerState.GONE);
                assertThat(c.deletedOnDevice)
                        .as("only copies no device can read are released")
                        .isTrue();
                c.released = true;
            }
            for (Pop3Planner.Listed l : plan.downloads()) {
                if (step++ >= steps) {
                    return;
                }
                // Stored whole with its mirror row in one transaction: all or nothing. The database's unique
                // index refuses a second copy of a UIDL not confirmed gone.
                ServerMessage m = server.get(l.number() - 1);
                assertThat(live(l.uidl()))
                        .as("downloaded while a copy still stands for %s", l.uidl())
                        .isNull();
                seq++;
                store.put(seq, new Copy(m.uidl(), m.id(), m.size(), seq, now));
            }
            Set<Integer> marked = new HashSet<>();
            for (Pop3Planner.Deletion d : plan.deletions()) {
                ServerMessage m = server.get(d.number() - 1);
                assertThat(m.uidl()).isEqualTo(d.uidl());
                Copy c = live(d.uidl());
                assertThat(c)
                        .as("DELE only for a stored message not confirmed gone")
                        .isNotNull();
                assertThat(m.id())
                        .as("DELE only for the very message stored (not another under a reused UIDL)")
                        .isEqualTo(c.sourceId);
                assertThat(c.state)
                        .as("never DELE again for a message whose DELE a QUIT +OK committed")
                        .isEqualTo(ServerState.ON_SERVER);
                assertDeletionAllowed(d);
                marked.add(m.id());
            }
            if (serverKind == ServerKind.DELE_AT_ONCE) {
                server.removeIf(m -> marked.contains(m.id()));
            }
            if (step++ >= steps) {
                return; // connection dropped between DELE and QUIT: RFC 1939 deletes nothing
            }
            if (serverKind == ServerKind.RFC1939) {
                server.removeIf(m -> marked.contains(m.id()));
            }
            if (step++ >= steps) {
                return; // QUIT answered, crash before the store recorded it
            }
            for (Pop3Planner.Deletion d : plan.deletions()) {
                Copy c = live(d.uidl());
                if (c.state == ServerState.ON_SERVER) {
                    c.state = ServerState.DELETE_SENT;
                }
            }
        }

        /**
         * After a complete sync every message on the server under a UIDL of its own is stored — also when
         * its UIDL was reused — except a reused UIDL whose old copy mailsync has not seen gone yet, which
         * it can tell only by another size (reported as UIDL_REUSED).
         */
        void assertEveryListedMessageStored() {
            Map<String, Integer> occurrences = new HashMap<>();
            server.forEach(m -> occurrences.merge(m.uidl(), 1, Integer::sum));
            for (ServerMessage m : server) {
                if (occurrences.get(m.uidl()) > 1) {
                    continue; // DUPLICATE_UIDL
                }
                Copy c = live(m.uidl());
                assertThat(c).as("message %d (%s) is stored", m.id(), m.uidl()).isNotNull();
                if (c.sourceId != m.id()) {
                    assertThat(c.serverSize)
                            .as("message %d under the reused UIDL %s is told apart by its size", m.id(), m.uidl())
                            .isNotEqualTo(m.size());
                }
            }
        }

        /** The policy, checked here independently of the planner. */
        void assertDeletionAllowed(Pop3Planner.Deletion d) {
            Copy c = live(d.uidl());
            assertThat(c).as("DELE only for a stored message").isNotNull();
            assertThat(c.released).isFalse();
            if (c.serverDeleteRequested && deleteOnDeviceDelete) {
                return;
            }
            Instant staleLimit = now.minus(STALE);
            switch (retention.policy()) {
                case KEEP -> throw new AssertionError("KEEP sent DELE for " + d);
                case DELETE_AFTER_DAYS ->
                    assertThat(now).isAfterOrEqualTo(c.firstDownloadedAt.plus(Duration.ofDays(retention.days())));
                case DELETE_AFTER_FIRST_DEVICE ->
                    assertThat(acked.keySet())
                            .as("some device has it (or hid it)")
                            .anyMatch(dev -> hasOrHid(dev, c));
                case DELETE_AFTER_ALL_DEVICES -> {
                    assertThat(acked.keySet())
                            .as("some device has it (or hid it)")
                            .anyMatch(dev -> hasOrHid(dev, c));
                    for (String device : acked.keySet()) {
                        if (!lastSeen.get(device).isBefore(staleLimit)) {
                            assertThat(hasOrHid(device, c))
                                    .as("active device %s has it or hid it", device)
                                    .isTrue();
                        }
                    }
                }
            }
        }

        boolean hasOrHid(String device, Copy c) {
            return acked.get(device) >= c.seq || c.hiddenFrom.contains(device);
        }

        void ack(int device) {
            String d = "d" + (device % acked.size());
            acked.put(d, seq);
            lastSeen.put(d, now);
        }

        /** A device deletes a message it still sees: from its own view, or for every device with the option. */
        void deviceDelete(int which) {
            String device = "d" + (which % acked.size());
            List<Copy> visible = store.values().stream()
                    .filter(c -> !c.deletedOnDevice && !c.hiddenFrom.contains(device))
                    .toList();
            if (!visible.isEmpty()) {
                Copy c = visible.get((which / acked.size()) % visible.size());
                c.hiddenFrom.add(device);
                if (deleteOnDeviceDelete) {
                    c.deletedOnDevice = true;
                    c.serverDeleteRequested = true;
                }
            }
        }

        /** A device joins the account: it must get every message no device deleted for the whole account. */
        void addDevice() {
            if (acked.size() < 4) {
                String d = "d" + acked.size();
                acked.put(d, 0L);
                lastSeen.put(d, now);
            }
        }

        void removedElsewhere(int which) {
            if (!server.isEmpty()) {
                removedByOthers.add(server.remove(which % server.size()).id());
            }
        }

        /** Nothing lost: every message that left the server is readable from a copy, or a device deleted it. */
        void assertNothingLost() {
            Set<Integer> onServer = new HashSet<>();
            server.forEach(m -> onServer.add(m.id()));
            for (int id : everOnServer) {
                if (onServer.contains(id) || removedByOthers.contains(id)) {
                    continue;
                }
                // A server that kept a deleted message may have given it twice (a duplicate): one will do.
                List<Copy> copies =
                        store.values().stream().filter(c -> c.sourceId == id).toList();
                assertThat(copies).as("message %d left the server unstored", id).isNotEmpty();
                assertThat(copies)
                        .as("message %d is readable or was deleted by a device", id)
                        .anyMatch(copy -> !copy.released || copy.deletedOnDevice);
            }
            for (Copy c : store.values()) {
                boolean someDeviceSeesIt = !c.deletedOnDevice && !c.hiddenFrom.containsAll(acked.keySet());
                if (someDeviceSeesIt) {
                    assertThat(c.released)
                            .as("a copy a device still sees stays readable")
                            .isFalse();
                }
            }
        }
    }

    /**
     * The case the property must reach, spelt out: a message deleted by a QUIT +OK, its UIDL given to a new
     * message of the same size before the next sync, that sync crashing after each of its steps in turn.
     */
    @Example
    void aUidlRelistedAfterACommittedDeleIsANewMessageWhereverTheSyncCrashes() {
        for (ServerKind kind : ServerKind.values()) {
            for (int crashAfter = 0; crashAfter <= 5; crashAfter++) {
                Model model = new Model(POLICIES[2], false, 2, kind);
                model.newMail(false);
                model.sync(Integer.MAX_VALUE);
                model.ack(0);
                model.sync(Integer.MAX_VALUE); // DELE + QUIT +OK
                Copy old = model.store.values().iterator().next();
                assertThat(old.state).isEqualTo(ServerState.DELETE_SENT);
                if (kind != ServerKind.NEVER_REMOVES) {
                    model.reusedUidl(Model.Reuse.DELETE_SENT, 0);
                    assertThat(model.server).singleElement().satisfies(m -> {
                        assertThat(m.uidl()).isEqualTo(old.uidl);
                        assertThat(m.size()).isEqualTo(old.serverSize);
                        assertThat(m.id()).isNotEqualTo(old.sourceId);
                    });
                }
                model.sync(crashAfter);
                model.assertNothingLost();
                model.sync(Integer.MAX_VALUE);
                model.assertNothingLost();
                model.assertEveryListedMessageStored();
                assertThat(old.state).as("%s, crash after %d", kind, crashAfter).isEqualTo(ServerState.GONE);
                assertThat(old.released).as("the laptop has not got it yet").isFalse();
                Copy live = model.live(old.uidl);
                assertThat(live).isNotNull().isNotSameAs(old);
                assertThat(live.state).as("waits for its own acknowledgement").isEqualTo(ServerState.ON_SERVER);
                assertThat(model.store).hasSize(2);
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> scripts() {
        return Arbitraries.integers().between(0, 9_999).list().ofMinSize(5).ofMaxSize(80);
    }

    // A fixed seed: the suite gives the same answer every run (explore others by changing it, e.g. to a
    // date, and running this class alone; a failure found that way is a bug to fix and an @Example to keep).
    @Property(tries = 400, seed = "1939")
    void noInterleavingOfMailSyncsAcksAndCrashesLosesAMessageOrDeletesTooEarly(
            @ForAll("scripts") List<Integer> script,
            @ForAll @IntRange(min = 0, max = 3) int policy,
            @ForAll @IntRange(min = 1, max = 3) int devices,
            @ForAll boolean deleteOnDeviceDelete,
            @ForAll ServerKind serverKind) {
        Model model = new Model(POLICIES[policy], deleteOnDeviceDelete, devices, serverKind);
        for (int op : script) {
            switch (op % 10) {
                case 0, 1 -> {
                    if (op % 37 == 0) {
                        model.newMail(true);
                    } else if (op % 3 == 0) {
                        model.reusedUidl(Model.Reuse.values()[(op / 3) % 3], op / 9);
                    } else {
                        model.newMail(false);
                    }
                }
                case 2, 3, 4 -> model.sync((op / 10) % 6); // crash after 0..4 steps, or 5+: whole
                case 5 -> {
                    model.sync(Integer.MAX_VALUE);
                    model.assertEveryListedMessageStored();
                }
                case 6, 7 -> model.ack(op / 10);
                case 8 -> model.now = model.now.plus(Duration.ofHours((op / 10) % 24 * 24 + 1));
                case 9 -> {
                    switch ((op / 10) % 5) {
                        case 0, 1 -> model.deviceDelete(op / 50);
                        case 2 -> model.removedElsewhere(op / 50);
                        case 3 -> model.now = model.now.plus(Duration.ofDays(31));
                        default -> model.addDevice();
                    }
                }
                default -> throw new IllegalStateException();
            }
            model.assertNothingLost();
        }
        model.sync(Integer.MAX_VALUE);
        model.assertNothingLost();
        model.assertEveryListedMessageStored();
    }
}
