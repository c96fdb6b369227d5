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
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A model of the POP3 engine around the real planner: a server with RFC 1939 semantics (DELE takes effect
 * only at a completed QUIT), mailsync's store written step by step as the engine does, devices that
 * acknowledge, delete messages from their own view (or, with deleteOnServerWhenDeletedOnDevice, for the
 * whole account) and join the account, a clock, and crashes at every step of a sync. Random interleavings
 * must never lose a message (off the server without a readable stored copy while a device still sees it)
 * nor send DELE for a message the policy does not yet allow to delete.
 */
class Pop3SafetyModelTest {
    private static final Duration STALE = Duration.ofDays(30);
    private static final Pop3Retention[] POLICIES = {
        Pop3Retention.KEEP,
        new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_DAYS, 3),
        new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_FIRST_DEVICE, null),
        new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_ALL_DEVICES, null)
    };

    /** One message on the server: an identity of its own, a UIDL (which may repeat) and its size. */
    private record ServerMessage(int id, String uidl) {
        long size() {
            return 100 + id; // messages differ in size; a reused UIDL shows on another size
        }
    }

    /** A stored copy and the server message it came from. */
    private static final class Copy {
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

        Copy(int sourceId, long serverSize, long seq, Instant at) {
            this.sourceId = sourceId;
            this.serverSize = serverSize;
            this.seq = seq;
            this.firstDownloadedAt = at;
        }
    }

    private static final class Model {
        final Pop3Retention retention;
        final boolean deleteOnDeviceDelete;
        final List<ServerMessage> server = new ArrayList<>();
        final Map<String, Copy> store = new LinkedHashMap<>();
        final Map<String, Long> acked = new LinkedHashMap<>();
        final Map<String, Instant> lastSeen = new HashMap<>();
        final Set<Integer> removedByOthers = new HashSet<>();
        final Set<Integer> everOnServer = new HashSet<>();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        long seq;
        int nextId;

        Model(Pop3Retention retention, boolean deleteOnDeviceDelete, int devices) {
            this.retention = retention;
            this.deleteOnDeviceDelete = deleteOnDeviceDelete;
            for (int i = 0; i < devices; i++) {
                acked.put("d" + i, 0L);
                lastSeen.put("d" + i, now);
            }
        }

        void newMail(boolean repeatUidl) {
            int id = nextId++;
            String uidl = repeatUidl && !server.isEmpty() ? server.get(0).uidl() : "u" + id;
            server.add(new ServerMessage(id, uidl));
            everOnServer.add(id);
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
            List<Pop3Planner.Stored> stored = store.entrySet().stream()
                    .map(e -> new Pop3Planner.Stored(
                            e.getKey(),
                            e.getValue().seq,
                            e.getValue().firstDownloadedAt,
                            e.getValue().state,
                            e.getValue().deletedOnDevice,
                            e.getValue().serverDeleteRequested,
                            e.getValue().released,
                            e.getValue().serverSize,
                            e.getValue().hiddenFrom))
                    .toList();
            Pop3Planner.Plan plan = Pop3Planner.plan(new Pop3Planner.Input(
                    listing, stored, devices(), retention, deleteOnDeviceDelete, 1_000, STALE, now));
            int step = 0;
            if (step++ >= steps) {
                return;
            }
            for (String uidl : plan.confirmedGone()) {
                store.get(uidl).state = ServerState.GONE;
            }
            for (String uidl : plan.retire()) {
                Copy c = store.get(uidl);
                assertThat(c.state).isEqualTo(ServerState.GONE);
                assertThat(c.deletedOnDevice).isFalse();
                assertThat(c.hiddenFrom)
                        .as("retired only once every device hid it")
                        .containsAll(acked.keySet());
                c.deletedOnDevice = true;
            }
            for (String uidl : plan.release()) {
                Copy c = store.get(uidl);
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
                // Stored whole with its mirror row in one transaction: all or nothing.
                ServerMessage m = server.get(l.number() - 1);
                store.put(l.uidl(), new Copy(m.id(), m.size(), ++seq, now));
            }
            Set<Integer> marked = new HashSet<>();
            for (Pop3Planner.Deletion d : plan.deletions()) {
                ServerMessage m = server.get(d.number() - 1);
                assertThat(m.uidl()).isEqualTo(d.uidl());
                assertThat(m.id())
                        .as("DELE only for the very message stored (not another under a reused UIDL)")
                        .isEqualTo(store.get(d.uidl()).sourceId);
                assertDeletionAllowed(d);
                marked.add(m.id());
            }
            if (step++ >= steps) {
                return; // connection dropped between DELE and QUIT: RFC 1939 deletes nothing
            }
            server.removeIf(m -> marked.contains(m.id()));
            if (step++ >= steps) {
                return; // QUIT answered, crash before the store recorded it
            }
            for (Pop3Planner.Deletion d : plan.deletions()) {
                Copy c = store.get(d.uidl());
                if (c.state == ServerState.ON_SERVER) {
                    c.state = ServerState.DELETE_SENT;
                }
            }
        }

        /** The policy, checked here independently of the planner. */
        void assertDeletionAllowed(Pop3Planner.Deletion d) {
            Copy c = store.get(d.uidl());
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
                Copy copy = store.values().stream()
                        .filter(c -> c.sourceId == id)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("message " + id + " left the server unstored"));
                assertThat(!copy.released || copy.deletedOnDevice)
                        .as("message %d is readable or was deleted by a device", id)
                        .isTrue();
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

    @Provide
    Arbitrary<List<Integer>> scripts() {
        return Arbitraries.integers().between(0, 9_999).list().ofMinSize(5).ofMaxSize(80);
    }

    @Property(tries = 400)
    void noInterleavingOfMailSyncsAcksAndCrashesLosesAMessageOrDeletesTooEarly(
            @ForAll("scripts") List<Integer> script,
            @ForAll @IntRange(min = 0, max = 3) int policy,
            @ForAll @IntRange(min = 1, max = 3) int devices,
            @ForAll boolean deleteOnDeviceDelete) {
        Model model = new Model(POLICIES[policy], deleteOnDeviceDelete, devices);
        for (int op : script) {
            switch (op % 10) {
                case 0, 1 -> model.newMail(op % 37 == 0);
                case 2, 3, 4 -> model.sync((op / 10) % 6); // crash after 0..4 steps, or 5+: whole
                case 5 -> model.sync(Integer.MAX_VALUE);
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
    }
}
