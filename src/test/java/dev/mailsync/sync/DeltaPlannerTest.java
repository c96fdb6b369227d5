package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.DeltaPlanner.Fate;
import dev.mailsync.sync.DeltaPlanner.FolderRow;
import dev.mailsync.sync.DeltaPlanner.MessageRow;
import dev.mailsync.sync.DeltaPlanner.Paging;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "States and deltas" of docs/rules.md, row by row: what the device {@code phone} learns from one page of
 * its account's changes. The phone presented state 10 (it had everything up to 10), its paging began when
 * the account was at 20, and this page holds the changes up to 15.
 */
class DeltaPlannerTest {
    private static final String PHONE = "phone";
    private static final String LAPTOP = "laptop";
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final Instant RECENT = NOW.minus(Duration.ofDays(2));
    private static final Instant OLD = NOW.minus(Duration.ofDays(60));
    private static final Paging PAGE = new Paging(PHONE, 10, 10, 20, 15);
    private static final DeviceView ALL = DeviceView.EVERYTHING;
    private static final DeviceView INBOX_ONLY = new DeviceView(List.of("INBOX"), null, null);
    private static final DeviceView LAST_MONTH = new DeviceView(null, 30, null);
    private static final DeviceView NEWEST_50 = new DeviceView(null, null, 50);

    /** A live message of INBOX, received recently, the 10th newest; created at {@code created}. */
    private static MessageRow message(long created) {
        return new MessageRow("INBOX", RECENT, 9, created, null, null, false, null);
    }

    private static MessageRow destroyed(long created, long destroyed, String by) {
        return new MessageRow("INBOX", RECENT, 9, created, destroyed, by, false, null);
    }

    private static MessageRow by(MessageRow m, String device) {
        return new MessageRow(
                m.folderName(),
                m.internalDate(),
                m.newerInFolder(),
                m.createdSeq(),
                m.destroyedSeq(),
                device,
                false,
                null);
    }

    private static MessageRow in(String folder, MessageRow m) {
        return new MessageRow(
                folder,
                m.internalDate(),
                m.newerInFolder(),
                m.createdSeq(),
                m.destroyedSeq(),
                m.changedByDevice(),
                m.resent(),
                m.hiddenAt());
    }

    private static MessageRow resent(MessageRow m) {
        return new MessageRow(
                m.folderName(),
                m.internalDate(),
                m.newerInFolder(),
                m.createdSeq(),
                m.destroyedSeq(),
                m.changedByDevice(),
                true,
                null);
    }

    private static MessageRow hiddenAt(long seq) {
        return new MessageRow("INBOX", RECENT, 0, 3, null, null, false, seq);
    }

    static Stream<Arguments> messages() {
        return Stream.of(
                // rule, view, row, fate
                Arguments.of("new on the server after the state: created", ALL, message(12), Fate.CREATED),
                Arguments.of("flags changed on the server: updated", ALL, message(5), Fate.UPDATED),
                Arguments.of("flags changed by another device: updated", ALL, by(message(5), LAPTOP), Fate.UPDATED),
                Arguments.of("the device's own flag change: not sent back", ALL, by(message(5), PHONE), Fate.NONE),
                Arguments.of("a message the device appended: not sent back", ALL, by(message(12), PHONE), Fate.NONE),
                Arguments.of("expunged on the server: destroyed", ALL, destroyed(5, 14, null), Fate.DESTROYED),
                Arguments.of("deleted by another device: destroyed", ALL, destroyed(5, 14, LAPTOP), Fate.DESTROYED),
                Arguments.of("deleted by the device itself: not sent back", ALL, destroyed(5, 14, PHONE), Fate.NONE),
                Arguments.of(
                        "created and destroyed before the paging began: never on a page, no news",
                        ALL,
                        destroyed(11, 14, null),
                        Fate.NONE),
                Arguments.of(
                        "created before the state, destroyed after the paging began: destroyed",
                        ALL,
                        destroyed(9, 25, null),
                        Fate.DESTROYED),
                Arguments.of("in a folder outside the view: no news", INBOX_ONLY, in("Work", message(12)), Fate.NONE),
                Arguments.of(
                        "destroyed in a folder outside the view: no news",
                        INBOX_ONLY,
                        in("Work", destroyed(5, 14, null)),
                        Fate.NONE),
                Arguments.of("inside the window of days: created", LAST_MONTH, message(12), Fate.CREATED),
                Arguments.of(
                        "outside the window of days: no news",
                        LAST_MONTH,
                        new MessageRow("INBOX", OLD, 0, 12, null, null, false, null),
                        Fate.NONE),
                Arguments.of("among the newest N of its folder: updated", NEWEST_50, message(5), Fate.UPDATED),
                Arguments.of(
                        "beyond the newest N of its folder: no news",
                        NEWEST_50,
                        new MessageRow("INBOX", RECENT, 50, 5, null, null, false, null),
                        Fate.NONE),
                Arguments.of(
                        "the view was widened: an old message comes as created", ALL, resent(message(2)), Fate.CREATED),
                Arguments.of("widened, but gone since: no news", ALL, resent(destroyed(2, 14, null)), Fate.NONE),
                Arguments.of(
                        "deleted from the device's own view (POP3) on this page: destroyed",
                        ALL,
                        hiddenAt(14),
                        Fate.DESTROYED),
                Arguments.of(
                        "deleted from the device's own view before this page: no news", ALL, hiddenAt(9), Fate.NONE),
                Arguments.of(
                        "deleted from the device's own view after this page: not yet", ALL, hiddenAt(16), Fate.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void messages(String rule, DeviceView view, MessageRow row, Fate fate) {
        assertThat(DeltaPlanner.message(row, PAGE, view, NOW)).isEqualTo(fate);
    }

    static Stream<Arguments> folders() {
        return Stream.of(
                Arguments.of(
                        "made on the server after the state: created",
                        ALL,
                        folder("Work", 12, null, null),
                        Fate.CREATED),
                Arguments.of("renamed on the server: updated", ALL, folder("Work", 5, null, null), Fate.UPDATED),
                Arguments.of(
                        "made, renamed or deleted by the device itself: not sent back",
                        ALL,
                        folder("Work", 12, null, PHONE),
                        Fate.NONE),
                Arguments.of("made by another device: created", ALL, folder("Work", 12, null, LAPTOP), Fate.CREATED),
                Arguments.of("deleted on the server: destroyed", ALL, folder("Work", 5, 14L, null), Fate.DESTROYED),
                Arguments.of(
                        "made and deleted before the paging began: no news",
                        ALL,
                        folder("Work", 11, 14L, null),
                        Fate.NONE),
                Arguments.of("outside the view: no news", INBOX_ONLY, folder("Work", 12, null, null), Fate.NONE),
                Arguments.of("deleted outside the view: no news", INBOX_ONLY, folder("Work", 5, 14L, null), Fate.NONE),
                Arguments.of(
                        "the view was widened to it: created",
                        ALL,
                        new FolderRow("Work", 2, null, null, true),
                        Fate.CREATED),
                Arguments.of(
                        "widened, but gone since: no news", ALL, new FolderRow("Work", 2, 14L, null, true), Fate.NONE));
    }

    private static FolderRow folder(String name, long created, Long destroyed, String by) {
        return new FolderRow(name, created, destroyed, by, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("folders")
    void folders(String rule, DeviceView view, FolderRow row, Fate fate) {
        assertThat(DeltaPlanner.folder(row, PAGE, view)).isEqualTo(fate);
    }

    @org.junit.jupiter.api.Test
    void a_state_is_served_only_to_its_device_and_only_while_its_changes_are_kept() {
        StateToken at10 = new StateToken(PHONE, 10);
        assertThat(DeltaPlanner.invalidState(at10, PHONE, 20)).isEmpty();
        assertThat(DeltaPlanner.invalidState(at10, PHONE, 10)).isEmpty();
        assertThat(DeltaPlanner.invalidState(at10, LAPTOP, 20)).contains("this state belongs to another device");
        assertThat(DeltaPlanner.invalidState(at10, PHONE, 9))
                .contains("this state is ahead of the account; it was not issued here");
        assertThat(DeltaPlanner.expired(at10, 10)).isFalse();
        assertThat(DeltaPlanner.expired(at10, 11)).isTrue();
    }
}
