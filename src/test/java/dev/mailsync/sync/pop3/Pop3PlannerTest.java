package dev.mailsync.sync.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.Pop3Planner;
import dev.mailsync.sync.Pop3Planner.DeleteReason;
import dev.mailsync.sync.Pop3Planner.Device;
import dev.mailsync.sync.Pop3Planner.Listed;
import dev.mailsync.sync.Pop3Planner.ServerState;
import dev.mailsync.sync.Pop3Planner.SkipReason;
import dev.mailsync.sync.Pop3Planner.Stored;
import dev.mailsync.sync.Pop3Retention;
import dev.mailsync.sync.Pop3RetentionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class Pop3PlannerTest {
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
    private static final Duration STALE = Duration.ofDays(30);
    private static final Pop3Retention ALL = new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_ALL_DEVICES, null);
    private static final Pop3Retention FIRST = new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_FIRST_DEVICE, null);

    private static Pop3Planner.Plan plan(
            List<Listed> listing, List<Stored> stored, List<Device> devices, Pop3Retention r, boolean onDeviceDelete) {
        return Pop3Planner.plan(new Pop3Planner.Input(listing, stored, devices, r, onDeviceDelete, 1_000, STALE, NOW));
    }

    private static Stored stored(String uidl, long seq) {
        return new Stored(uidl, seq, NOW.minus(Duration.ofDays(1)), ServerState.ON_SERVER, false, false, false);
    }

    private static Device device(String id, long acked) {
        return new Device(id, acked, NOW.minus(Duration.ofHours(1)));
    }

    @Test
    void downloadsOnlyUidlsNotStoredYet() {
        var p = plan(
                List.of(new Listed(1, "a", 10), new Listed(2, "b", 20)),
                List.of(stored("a", 5)),
                List.of(),
                Pop3Retention.KEEP,
                false);
        assertThat(p.downloads()).extracting(Listed::uidl).containsExactly("b");
        assertThat(p.deletions()).isEmpty();
    }

    @Test
    void repeatedUidlIsNeitherDownloadedNorDeletedButReportedOnce() {
        var p = plan(
                List.of(new Listed(1, "x", 10), new Listed(2, "x", 10), new Listed(3, "y", 10)),
                List.of(new Stored("y", 1, NOW, ServerState.ON_SERVER, false, false, false)),
                List.of(device("d1", 99)),
                FIRST,
                false);
        assertThat(p.downloads()).isEmpty();
        assertThat(p.skips()).singleElement().satisfies(s -> {
            assertThat(s.uidl()).isEqualTo("x");
            assertThat(s.reason()).isEqualTo(SkipReason.DUPLICATE_UIDL);
        });
        assertThat(p.deletions()).extracting(Pop3Planner.Deletion::uidl).containsExactly("y");

        var storedDuplicate = plan(
                List.of(new Listed(1, "x", 10), new Listed(2, "x", 10)),
                List.of(stored("x", 1)),
                List.of(device("d1", 99)),
                FIRST,
                false);
        assertThat(storedDuplicate.deletions()).as("which x would DELE remove?").isEmpty();
    }

    @Test
    void aStoredUidlListedWithAnotherSizeIsAnotherMessageAndNeverDeleted() {
        Stored stored = new Stored("a", 1, NOW, ServerState.ON_SERVER, false, false, false, 500);
        var p = plan(List.of(new Listed(1, "a", 501)), List.of(stored), List.of(device("d1", 99)), FIRST, false);
        assertThat(p.deletions()).isEmpty();
        assertThat(p.downloads()).isEmpty();
        assertThat(p.skips()).extracting(Pop3Planner.Skip::reason).containsExactly(SkipReason.UIDL_REUSED);
        var same = plan(List.of(new Listed(1, "a", 500)), List.of(stored), List.of(device("d1", 99)), FIRST, false);
        assertThat(same.deletions()).extracting(Pop3Planner.Deletion::uidl).containsExactly("a");
    }

    @Test
    void aUidlListedAgainAfterItsStoredMessageWasConfirmedGoneIsANewMessageWhateverItsSize() {
        // The device has the old message: the old one's acknowledgement would allow deleting it.
        Stored old = new Stored("a", 1, NOW.minus(Duration.ofDays(9)), ServerState.GONE, false, false, false, 500);
        for (long size : new long[] {500, 501}) {
            var p = plan(List.of(new Listed(3, "a", size)), List.of(old), List.of(device("d1", 99)), FIRST, false);
            assertThat(p.downloads()).as("size %d", size).containsExactly(new Listed(3, "a", size));
            assertThat(p.deletions())
                    .as("never deleted on the old one's acknowledgement")
                    .isEmpty();
            assertThat(p.skips()).isEmpty();
            assertThat(p.confirmedGone()).isEmpty();
            assertThat(p.upcoming()).isEmpty();
        }
        var tooLarge = plan(List.of(new Listed(3, "a", 1_001)), List.of(old), List.of(device("d1", 99)), FIRST, false);
        assertThat(tooLarge.downloads()).isEmpty();
        assertThat(tooLarge.skips()).extracting(Pop3Planner.Skip::reason).containsExactly(SkipReason.TOO_LARGE);

        Stored older = new Stored("a", 0, NOW.minus(Duration.ofDays(20)), ServerState.GONE, false, false, false, 500);
        var twice = plan(List.of(new Listed(1, "a", 500)), List.of(older, old), List.of(), FIRST, false);
        assertThat(twice.downloads())
                .as("reused a second time")
                .extracting(Listed::uidl)
                .containsExactly("a");

        var duplicate =
                plan(List.of(new Listed(1, "a", 500), new Listed(2, "a", 500)), List.of(old), List.of(), FIRST, false);
        assertThat(duplicate.downloads()).isEmpty();
        assertThat(duplicate.skips()).extracting(Pop3Planner.Skip::reason).containsExactly(SkipReason.DUPLICATE_UIDL);
    }

    @Test
    void theNewMessageUnderAReusedUidlFollowsThePolicyOnItsOwnAcknowledgementsAndDays() {
        Stored old = new Stored("a", 3, NOW.minus(Duration.ofDays(30)), ServerState.GONE, false, false, false, 500);
        Stored reused =
                new Stored("a", 8, NOW.minus(Duration.ofDays(1)), ServerState.ON_SERVER, false, false, false, 500);
        List<Listed> listing = List.of(new Listed(2, "a", 500));
        List<Stored> both = List.of(old, reused);

        var oldAcked = plan(listing, both, List.of(device("d1", 5)), FIRST, false);
        assertThat(oldAcked.downloads()).as("stored already").isEmpty();
        assertThat(oldAcked.deletions())
                .as("acknowledging the old one is not having the new one")
                .isEmpty();
        assertThat(oldAcked.upcoming())
                .singleElement()
                .satisfies(u -> assertThat(u.waitingFor()).containsExactly("d1"));
        assertThat(plan(listing, both, List.of(device("d1", 8)), FIRST, false).deletions())
                .containsExactly(new Pop3Planner.Deletion(2, "a", DeleteReason.DELETE_AFTER_FIRST_DEVICE));

        Pop3Retention twoDays = new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_DAYS, 2);
        var days = plan(listing, both, List.of(), twoDays, false);
        assertThat(days.deletions())
                .as("two days from the new download, not the old one")
                .isEmpty();
        assertThat(days.upcoming())
                .singleElement()
                .satisfies(u -> assertThat(u.dueAt()).isEqualTo(NOW.plus(Duration.ofDays(1))));

        var gone = plan(List.of(), both, List.of(device("d1", 8)), FIRST, false);
        assertThat(gone.confirmedGone())
                .as("the live one; the old one is gone already")
                .containsExactly("a");
    }

    @Test
    void theOldCopyUnderAReusedUidlIsRetiredAndReleasedOnItsOwnTerms() {
        List<Device> devices = List.of(device("d1", 9), device("d2", 9));
        List<Listed> listing = List.of(new Listed(1, "a", 10));
        Stored reused = new Stored("a", 8, NOW, ServerState.ON_SERVER, false, false, false, 10);

        var readable = plan(listing, List.of(hidden("a", 7, ServerState.GONE, "d1"), reused), devices, ALL, false);
        assertThat(readable.retire()).as("d2 still reads the old one").isEmpty();
        assertThat(readable.release()).isEmpty();

        var hiddenFromAll =
                plan(listing, List.of(hidden("a", 7, ServerState.GONE, "d1", "d2"), reused), devices, ALL, false);
        assertThat(hiddenFromAll.retire()).containsExactly(7L);
        assertThat(hiddenFromAll.release()).containsExactly(7L);

        Stored deletedForAll = new Stored("a", 7, NOW, ServerState.GONE, true, true, false, 10);
        var deleted = plan(listing, List.of(deletedForAll, reused), devices, Pop3Retention.KEEP, true);
        assertThat(deleted.release()).containsExactly(7L);
        assertThat(deleted.deletions())
                .as("the old one's device delete does not reach the new one")
                .isEmpty();
    }

    @Test
    void twoStoredMessagesNotConfirmedGoneUnderOneUidlAreRefused() {
        Stored a = new Stored("a", 1, NOW, ServerState.DELETE_SENT, false, false, false, 10);
        Stored b = new Stored("a", 2, NOW, ServerState.ON_SERVER, false, false, false, 10);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> plan(List.of(new Listed(1, "a", 10)), List.of(a, b), List.of(), FIRST, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UIDL a");
    }

    @Test
    void tooLargeIsSkippedNotDownloaded() {
        var p = plan(List.of(new Listed(1, "big", 1_001)), List.of(), List.of(), Pop3Retention.KEEP, false);
        assertThat(p.downloads()).isEmpty();
        assertThat(p.skips()).extracting(Pop3Planner.Skip::reason).containsExactly(SkipReason.TOO_LARGE);
    }

    @Test
    void keepNeverDeletes() {
        var p = plan(
                List.of(new Listed(1, "a", 10)),
                List.of(stored("a", 1)),
                List.of(device("d1", 50), device("d2", 50)),
                Pop3Retention.KEEP,
                false);
        assertThat(p.deletions()).isEmpty();
        assertThat(p.upcoming()).isEmpty();
    }

    @Test
    void afterDaysDeletesOnlyOnceTheDaysHavePassed() {
        Pop3Retention twoDays = new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_DAYS, 2);
        Stored young =
                new Stored("young", 1, NOW.minus(Duration.ofDays(1)), ServerState.ON_SERVER, false, false, false);
        Stored old = new Stored("old", 2, NOW.minus(Duration.ofDays(2)), ServerState.ON_SERVER, false, false, false);
        var p = plan(
                List.of(new Listed(1, "young", 10), new Listed(2, "old", 10)),
                List.of(young, old),
                List.of(),
                twoDays,
                false);
        assertThat(p.deletions()).singleElement().satisfies(d -> {
            assertThat(d.uidl()).isEqualTo("old");
            assertThat(d.number()).isEqualTo(2);
            assertThat(d.reason()).isEqualTo(DeleteReason.DELETE_AFTER_DAYS);
        });
        assertThat(p.upcoming()).singleElement().satisfies(u -> {
            assertThat(u.uidl()).isEqualTo("young");
            assertThat(u.dueAt()).isEqualTo(NOW.plus(Duration.ofDays(1)));
        });
    }

    @Test
    void afterFirstDeviceWaitsForAnyAcknowledgement() {
        List<Listed> listing = List.of(new Listed(1, "a", 10));
        List<Stored> stored = List.of(stored("a", 7));
        assertThat(plan(listing, stored, List.of(device("d1", 6), device("d2", 0)), FIRST, false)
                        .deletions())
                .isEmpty();
        assertThat(plan(listing, stored, List.of(device("d1", 6), device("d2", 7)), FIRST, false)
                        .deletions())
                .extracting(Pop3Planner.Deletion::reason)
                .containsExactly(DeleteReason.DELETE_AFTER_FIRST_DEVICE);
        assertThat(plan(listing, stored, List.of(), FIRST, false).deletions())
                .as("no device at all: nobody has it")
                .isEmpty();
    }

    @Test
    void afterAllDevicesWaitsForEveryActiveDevice() {
        List<Listed> listing = List.of(new Listed(1, "a", 10));
        List<Stored> stored = List.of(stored("a", 7));
        var waiting = plan(listing, stored, List.of(device("d1", 7), device("d2", 3)), ALL, false);
        assertThat(waiting.deletions()).isEmpty();
        assertThat(waiting.upcoming())
                .singleElement()
                .satisfies(u -> assertThat(u.waitingFor()).containsExactly("d2"));
        assertThat(plan(listing, stored, List.of(device("d1", 7), device("d2", 9)), ALL, false)
                        .deletions())
                .extracting(Pop3Planner.Deletion::reason)
                .containsExactly(DeleteReason.DELETE_AFTER_ALL_DEVICES);
    }

    @Test
    void staleDeviceStopsBlockingAndIsReported() {
        Device stale = new Device("old-phone", 0, NOW.minus(Duration.ofDays(31)));
        var p = plan(
                List.of(new Listed(1, "a", 10)), List.of(stored("a", 7)), List.of(device("d1", 7), stale), ALL, false);
        assertThat(p.staleDevices()).containsExactly("old-phone");
        assertThat(p.deletions()).extracting(Pop3Planner.Deletion::uidl).containsExactly("a");
    }

    @Test
    void allDevicesStaleAndNoneHasItNeverDeletes() {
        Device stale = new Device("old-phone", 0, NOW.minus(Duration.ofDays(31)));
        var p = plan(List.of(new Listed(1, "a", 10)), List.of(stored("a", 7)), List.of(stale), ALL, false);
        assertThat(p.deletions()).isEmpty();
    }

    @Test
    void deviceDeleteDeletesOnServerOnlyWithTheOption() {
        Stored deleted = new Stored("a", 7, NOW, ServerState.ON_SERVER, true, true, false);
        List<Listed> listing = List.of(new Listed(1, "a", 10));
        assertThat(plan(listing, List.of(deleted), List.of(device("d1", 0)), Pop3Retention.KEEP, true)
                        .deletions())
                .extracting(Pop3Planner.Deletion::reason)
                .containsExactly(DeleteReason.DELETED_ON_DEVICE);
        assertThat(plan(listing, List.of(deleted), List.of(device("d1", 0)), Pop3Retention.KEEP, false)
                        .deletions())
                .isEmpty();
    }

    @Test
    void missingUidlConfirmsDeletionAndReleasesOnlyCopiesNoDeviceCanRead() {
        Stored sent = new Stored("sent", 1, NOW, ServerState.DELETE_SENT, false, false, false);
        Stored deletedOnDevice = new Stored("dev", 2, NOW, ServerState.DELETE_SENT, true, true, false);
        Stored goneElsewhere = new Stored("else", 3, NOW, ServerState.ON_SERVER, false, false, false);
        var p = plan(List.of(), List.of(sent, deletedOnDevice, goneElsewhere), List.of(), ALL, true);
        assertThat(p.confirmedGone()).containsExactlyInAnyOrder("sent", "dev", "else");
        assertThat(p.release())
                .as("devices still read the others from the copy")
                .containsExactly(2L);
    }

    @Test
    void aUidlListedAgainAfterItsDeleWasCommittedByQuitIsANewMessageAndTheOldOneIsConfirmedGone() {
        // RFC 1939 §6: QUIT +OK removed the message; the UIDL listed again names another one, which no
        // device has: deleting it on the old one's acknowledgement would lose it.
        Stored sent =
                new Stored("a", 1, NOW.minus(Duration.ofDays(9)), ServerState.DELETE_SENT, false, false, false, 10);
        for (long size : new long[] {10, 11}) {
            for (Pop3Retention r : List.of(FIRST, ALL, new Pop3Retention(Pop3RetentionPolicy.DELETE_AFTER_DAYS, 1))) {
                var p = plan(List.of(new Listed(4, "a", size)), List.of(sent), List.of(device("d", 5)), r, false);
                assertThat(p.confirmedGone()).as("size %d, %s", size, r).containsExactly("a");
                assertThat(p.downloads()).as("size %d, %s", size, r).containsExactly(new Listed(4, "a", size));
                assertThat(p.deletions()).as("never DELE again").isEmpty();
                assertThat(p.skips()).isEmpty();
                assertThat(p.upcoming()).isEmpty();
                assertThat(p.release())
                        .as("the device still reads the old copy")
                        .isEmpty();
            }
        }
        // A device's delete for the whole account does not reach the new message either; the old copy
        // follows the release rules as if the listing had lacked it.
        Stored deletedForAll = new Stored("a", 1, NOW, ServerState.DELETE_SENT, true, true, false, 10);
        var deleted =
                plan(List.of(new Listed(1, "a", 10)), List.of(deletedForAll), List.of(device("d", 0)), FIRST, true);
        assertThat(deleted.deletions()).isEmpty();
        assertThat(deleted.downloads()).extracting(Listed::uidl).containsExactly("a");
        assertThat(deleted.confirmedGone()).containsExactly("a");
        assertThat(deleted.release()).containsExactly(1L);
        assertThat(plan(
                                List.of(new Listed(1, "a", 10)),
                                List.of(hidden("a", 1, ServerState.DELETE_SENT, "d")),
                                List.of(device("d", 0)),
                                FIRST,
                                false)
                        .retire())
                .as("hidden from every device: retired once confirmed gone")
                .containsExactly(1L);

        var tooLarge = plan(List.of(new Listed(1, "a", 1_001)), List.of(sent), List.of(device("d", 5)), FIRST, false);
        assertThat(tooLarge.confirmedGone()).containsExactly("a");
        assertThat(tooLarge.skips()).extracting(Pop3Planner.Skip::reason).containsExactly(SkipReason.TOO_LARGE);
        assertThat(tooLarge.deletions()).isEmpty();
        var duplicate = plan(
                List.of(new Listed(1, "a", 10), new Listed(2, "a", 10)),
                List.of(sent),
                List.of(device("d", 5)),
                FIRST,
                false);
        assertThat(duplicate.confirmedGone()).containsExactly("a");
        assertThat(duplicate.skips()).extracting(Pop3Planner.Skip::reason).containsExactly(SkipReason.DUPLICATE_UIDL);
        assertThat(duplicate.downloads()).isEmpty();
        assertThat(duplicate.deletions()).isEmpty();
    }

    @Test
    void aCrashBetweenConfirmingTheOldMessageAndStoringTheNewOneLeavesAStateTheNextSyncCompletes() {
        Stored sent = new Stored("a", 1, NOW, ServerState.DELETE_SENT, false, false, false, 10);
        List<Listed> listing = List.of(new Listed(1, "a", 10));
        List<Device> devices = List.of(device("d", 5));
        var first = plan(listing, List.of(sent), devices, FIRST, false);
        assertThat(first.confirmedGone()).containsExactly("a");
        assertThat(first.downloads()).extracting(Listed::uidl).containsExactly("a");

        // Crash before the confirmation is stored: nothing changed, the next sync plans the same.
        assertThat(plan(listing, List.of(sent), devices, FIRST, false)).isEqualTo(first);

        // Crash after the confirmation, before the download is stored: the old message is confirmed gone
        // (the unique index on live UIDLs lets the new one in), and the next sync downloads the new one.
        Stored confirmed = new Stored("a", 1, NOW, ServerState.GONE, false, false, false, 10);
        var next = plan(listing, List.of(confirmed), devices, FIRST, false);
        assertThat(next.downloads()).containsExactly(new Listed(1, "a", 10));
        assertThat(next.confirmedGone()).as("already confirmed").isEmpty();
        assertThat(next.deletions()).isEmpty();

        // Stored since: the new message waits for its own acknowledgement, the old one's does not count.
        Stored fresh = new Stored("a", 9, NOW, ServerState.ON_SERVER, false, false, false, 10);
        var after = plan(listing, List.of(confirmed, fresh), devices, FIRST, false);
        assertThat(after.downloads()).isEmpty();
        assertThat(after.deletions()).isEmpty();
        assertThat(after.upcoming()).extracting(Pop3Planner.Upcoming::uidl).containsExactly("a");
        assertThat(plan(listing, List.of(confirmed, fresh), List.of(device("d", 9)), FIRST, false)
                        .deletions())
                .containsExactly(new Pop3Planner.Deletion(1, "a", DeleteReason.DELETE_AFTER_FIRST_DEVICE));
    }

    @Test
    void aSessionThatDroppedBeforeQuitLeftTheMessageOnServerAndItIsDeletedAgain() {
        // No QUIT +OK, no DELETE_SENT: the retry sends DELE again for the very message stored.
        Stored kept = new Stored("a", 1, NOW, ServerState.ON_SERVER, false, false, false, 10);
        var p = plan(List.of(new Listed(4, "a", 10)), List.of(kept), List.of(device("d", 5)), FIRST, false);
        assertThat(p.confirmedGone()).isEmpty();
        assertThat(p.downloads()).isEmpty();
        assertThat(p.deletions()).extracting(Pop3Planner.Deletion::number).containsExactly(4);
    }

    private static Stored hidden(String uidl, long seq, ServerState state, String... devices) {
        return new Stored(uidl, seq, NOW, state, false, false, false, 10, java.util.Set.of(devices));
    }

    @Test
    void aDeviceThatHidTheMessageNoLongerBlocksDeleteAfterAllDevices() {
        List<Listed> listing = List.of(new Listed(1, "a", 10));
        List<Device> devices = List.of(device("hider", 0), device("reader", 0));
        var nobodyHasIt = plan(listing, List.of(hidden("a", 7, ServerState.ON_SERVER, "hider")), devices, ALL, false);
        assertThat(nobodyHasIt.deletions()).isEmpty();
        assertThat(nobodyHasIt.upcoming())
                .singleElement()
                .satisfies(u -> assertThat(u.waitingFor()).containsExactly("reader"));

        var readerHasIt = plan(
                listing,
                List.of(hidden("a", 7, ServerState.ON_SERVER, "hider")),
                List.of(device("hider", 0), device("reader", 7)),
                ALL,
                false);
        assertThat(readerHasIt.deletions())
                .extracting(Pop3Planner.Deletion::reason)
                .containsExactly(DeleteReason.DELETE_AFTER_ALL_DEVICES);
        assertThat(Pop3Planner.awaitingAcknowledgement(
                        List.of(hidden("a", 7, ServerState.ON_SERVER, "hider")), devices))
                .containsEntry("hider", 0L)
                .containsEntry("reader", 1L);
    }

    @Test
    void aDeviceThatHidTheMessageHadItForDeleteAfterFirstDevice() {
        var p = plan(
                List.of(new Listed(1, "a", 10)),
                List.of(hidden("a", 7, ServerState.ON_SERVER, "d1")),
                List.of(device("d1", 0), device("d2", 0)),
                FIRST,
                false);
        assertThat(p.deletions())
                .extracting(Pop3Planner.Deletion::reason)
                .containsExactly(DeleteReason.DELETE_AFTER_FIRST_DEVICE);
    }

    @Test
    void aMessageHiddenFromSomeDevicesIsNeitherDeletedOnTheServerByTheOptionNorReleased() {
        List<Device> devices = List.of(device("d1", 9), device("d2", 9));
        var listed = plan(
                List.of(new Listed(1, "a", 10)),
                List.of(hidden("a", 7, ServerState.ON_SERVER, "d1")),
                devices,
                Pop3Retention.KEEP,
                true);
        assertThat(listed.deletions()).as("hiding asks nothing of the server").isEmpty();
        var gone = plan(List.of(), List.of(hidden("a", 7, ServerState.DELETE_SENT, "d1")), devices, ALL, false);
        assertThat(gone.confirmedGone()).containsExactly("a");
        assertThat(gone.retire()).isEmpty();
        assertThat(gone.release()).as("d2 still reads it from the copy").isEmpty();
    }

    @Test
    void aMessageEveryDeviceHidIsRetiredAndReleasedOnlyOnceTheServerCopyIsGone() {
        List<Device> devices = List.of(device("d1", 9), device("d2", 9));
        var onServer = plan(
                List.of(new Listed(1, "a", 10)),
                List.of(hidden("a", 7, ServerState.ON_SERVER, "d1", "d2")),
                devices,
                Pop3Retention.KEEP,
                false);
        assertThat(onServer.retire())
                .as("a new device would still get it from the server")
                .isEmpty();
        assertThat(onServer.release()).isEmpty();

        var gone = plan(List.of(), List.of(hidden("a", 7, ServerState.GONE, "d1", "d2")), devices, ALL, false);
        assertThat(gone.retire()).containsExactly(7L);
        assertThat(gone.release()).containsExactly(7L);

        var newDevice = plan(
                List.of(),
                List.of(hidden("a", 7, ServerState.GONE, "d1", "d2")),
                List.of(device("d1", 9), device("d2", 9), device("d3", 0)),
                ALL,
                false);
        assertThat(newDevice.retire()).as("d3 has not hidden it").isEmpty();
        assertThat(newDevice.release()).isEmpty();

        var noDevices = plan(List.of(), List.of(hidden("a", 7, ServerState.GONE)), List.of(), ALL, false);
        assertThat(noDevices.retire()).as("an account without devices keeps it").isEmpty();
        assertThat(noDevices.release()).isEmpty();
    }

    @Test
    void awaitingAcknowledgementCountsPerDevice() {
        var counts = Pop3Planner.awaitingAcknowledgement(
                List.of(stored("a", 3), stored("b", 5)), List.of(device("d1", 3), device("d2", 0)));
        assertThat(counts).containsEntry("d1", 1L).containsEntry("d2", 2L);
    }
}
