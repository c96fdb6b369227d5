package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImapScanPlannerTest {
    private static final FolderStatus STATUS = new FolderStatus(7, 10, 3, null);

    private static MirrorMessageRef mirror(String id, long uid, String... flags) {
        return new MirrorMessageRef(id, uid, Set.of(flags));
    }

    private static MessageFlags server(long uid, String... flags) {
        return new MessageFlags(uid, Set.of(flags));
    }

    @Test
    void a_first_scan_fetches_every_message() {
        FolderScanPlan plan = ImapScanPlanner.plan(null, List.of(), STATUS, List.of(server(3), server(1), server(2)));
        assertThat(plan.reset()).isFalse();
        assertThat(plan.uidsToFetch()).containsExactly(1L, 2L, 3L);
        assertThat(plan.destroyMessageIds()).isEmpty();
    }

    @Test
    void unchanged_messages_plan_nothing() {
        FolderScanPlan plan = ImapScanPlanner.plan(
                7L, List.of(mirror("a", 1, "\\Seen"), mirror("b", 2)), STATUS, List.of(server(1, "\\Seen"), server(2)));
        assertThat(plan.changesNothing()).isTrue();
    }

    @Test
    void new_uids_are_fetched_changed_flags_updated_and_missing_uids_destroyed() {
        FolderScanPlan plan = ImapScanPlanner.plan(
                7L,
                List.of(mirror("a", 1), mirror("b", 2, "\\Seen"), mirror("c", 3)),
                STATUS,
                List.of(server(1, "\\Flagged", "$Forwarded"), server(2, "\\Seen"), server(9)));
        assertThat(plan.uidsToFetch()).containsExactly(9L);
        assertThat(plan.flagChanges())
                .containsExactly(new FolderScanPlan.FlagChange("a", 1, Set.of("\\Flagged", "$Forwarded")));
        assertThat(plan.destroyMessageIds()).containsExactly("c");
    }

    @Test
    void removing_every_flag_is_a_change_too() {
        FolderScanPlan plan = ImapScanPlanner.plan(7L, List.of(mirror("a", 1, "\\Seen")), STATUS, List.of(server(1)));
        assertThat(plan.flagChanges())
                .singleElement()
                .extracting(FolderScanPlan.FlagChange::flags)
                .isEqualTo(Set.of());
    }

    @Test
    void a_new_uidvalidity_destroys_every_known_message_and_fetches_all_even_with_the_same_uids() {
        FolderScanPlan plan = ImapScanPlanner.plan(
                6L, List.of(mirror("a", 1), mirror("b", 2)), STATUS, List.of(server(1), server(2)));
        assertThat(plan.reset()).isTrue();
        assertThat(plan.destroyMessageIds()).containsExactly("a", "b");
        assertThat(plan.uidsToFetch()).containsExactly(1L, 2L);
        assertThat(plan.flagChanges()).isEmpty();
    }

    @Test
    void uids_above_two_to_the_31_compare_as_numbers() {
        long big = 4_000_000_000L; // a valid unsigned 32-bit UID that would be negative as an int
        FolderScanPlan plan =
                ImapScanPlanner.plan(7L, List.of(mirror("a", big)), STATUS, List.of(server(big), server(big + 1)));
        assertThat(plan.uidsToFetch()).containsExactly(big + 1);
        assertThat(plan.destroyMessageIds()).isEmpty();
    }

    @Test
    void a_folder_with_the_same_uidvalidity_uidnext_count_and_modseq_is_unchanged() {
        FolderStatus server = new FolderStatus(7, 10, 3, 55L);
        assertThat(ImapScanPlanner.unchanged(7L, 10L, 3L, 55L, server)).isTrue();
        assertThat(ImapScanPlanner.unchanged(7L, 10L, 3L, 54L, server)).isFalse();
        assertThat(ImapScanPlanner.unchanged(7L, 9L, 3L, 55L, server)).isFalse();
        assertThat(ImapScanPlanner.unchanged(7L, 10L, 2L, 55L, server)).isFalse();
        assertThat(ImapScanPlanner.unchanged(6L, 10L, 3L, 55L, server)).isFalse();
    }

    @Test
    void without_condstore_nothing_can_be_called_unchanged() {
        assertThat(ImapScanPlanner.unchanged(7L, 10L, 3L, null, new FolderStatus(7, 10, 3, null)))
                .isFalse();
        assertThat(ImapScanPlanner.unchanged(null, null, null, 5L, new FolderStatus(7, 10, 3, 5L)))
                .isFalse();
    }

    @Test
    void the_condstore_path_plans_what_a_full_scan_would() {
        List<MirrorMessageRef> mirror =
                List.of(mirror("a", 1), mirror("b", 2, "\\Seen"), mirror("c", 3), mirror("d", 4));
        // server: 1 got \Flagged, 2 unchanged, 3 and 4 expunged, 5 and 6 new
        FolderScanPlan fast = ImapScanPlanner.planChanges(
                7L, mirror, STATUS, List.of(server(1, "\\Flagged")), List.of(1L, 2L, 5L, 6L));
        FolderScanPlan full = ImapScanPlanner.plan(
                7L, mirror, STATUS, List.of(server(1, "\\Flagged"), server(2, "\\Seen"), server(5), server(6)));
        assertThat(fast).isEqualTo(full);
        assertThat(fast.destroyMessageIds()).containsExactly("c", "d");
        assertThat(fast.uidsToFetch()).containsExactly(5L, 6L);
    }

    @Test
    void qresync_removes_vanished_uids_updates_changed_flags_and_fetches_new_ones() {
        var mirror = List.of(mirror("a", 1), mirror("b", 2), mirror("c", 3), mirror("d", 4), mirror("e", 5));
        // 2, 3 and 4 expunged at once; 5 flagged; 6 and 7 arrived (FETCHed because their mod-sequence is new)
        var status = new FolderStatus(7, 8, 4, 99L);
        var plan = ImapScanPlanner.planQresync(
                        6,
                        mirror.size(),
                        mirror,
                        status,
                        List.of(server(5, "\\Flagged"), server(6), server(7, "\\Seen")),
                        UidRange.parseSet("2:4"))
                .orElseThrow();

        assertThat(plan.destroyMessageIds()).containsExactlyInAnyOrder("b", "c", "d");
        assertThat(plan.flagChanges()).singleElement().satisfies(c -> {
            assertThat(c.messageId()).isEqualTo("e");
            assertThat(c.flags()).containsExactly("\\Flagged");
        });
        assertThat(plan.uidsToFetch()).containsExactly(6L, 7L);
        assertThat(plan.reset()).isFalse();
    }

    @Test
    void qresync_whose_count_does_not_add_up_is_not_trusted() {
        var mirror = List.of(mirror("a", 1), mirror("b", 2));
        // the server says 3 messages, but reported no new one and nothing vanished: some history is missing
        var plan = ImapScanPlanner.planQresync(3, 2, mirror, new FolderStatus(7, 4, 3, 50L), List.of(), List.of());
        assertThat(plan).isEmpty();
    }

    @Test
    void qresync_vanished_ranges_may_name_uids_the_mirror_never_had() {
        var mirror = List.of(mirror("a", 10));
        var plan = ImapScanPlanner.planQresync(
                        11, 1, mirror, new FolderStatus(7, 11, 1, 50L), List.of(), UidRange.parseSet("1:9,12"))
                .orElseThrow();
        assertThat(plan.changesNothing()).isTrue();
    }

    @Test
    void qresync_needs_only_the_mirror_messages_it_names_and_the_folder_count() {
        // 100,000 messages in the mirror; only UIDs 7 (vanished) and 8 (flagged) are read from it
        var relevant = List.of(mirror("m7", 7), mirror("m8", 8));
        var plan = ImapScanPlanner.planQresync(
                        100_001,
                        100_000,
                        relevant,
                        new FolderStatus(7, 100_002, 100_000, 60L),
                        List.of(server(8, "\\Seen"), server(100_001)),
                        UidRange.parseSet("7"))
                .orElseThrow();
        assertThat(plan.destroyMessageIds()).containsExactly("m7");
        assertThat(plan.flagChanges())
                .extracting(FolderScanPlan.FlagChange::messageId)
                .containsExactly("m8");
        assertThat(plan.uidsToFetch()).containsExactly(100_001L);
    }

    @Test
    void uid_sets_parse_single_uids_and_ranges_in_either_order_and_refuse_anything_else() {
        assertThat(UidRange.parseSet("3,9:5,11"))
                .containsExactly(new UidRange(3, 3), new UidRange(5, 9), new UidRange(11, 11));
        assertThat(UidRange.anyContains(UidRange.parseSet("3,5:9"), 7)).isTrue();
        assertThat(UidRange.anyContains(UidRange.parseSet("3,5:9"), 4)).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UidRange.parseSet("1:*"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UidRange.parseSet("0"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
