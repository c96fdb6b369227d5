package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FolderPlannerTest {
    private static FolderInfo folder(String name) {
        return new FolderInfo(name, "/", null, true);
    }

    @Test
    void new_folders_are_created_vanished_ones_destroyed_and_changed_attributes_updated() {
        var mirror = List.of(
                new FolderPlanner.MirrorFolderRef("f1", "INBOX", "/", null),
                new FolderPlanner.MirrorFolderRef("f2", "Old", "/", null),
                new FolderPlanner.MirrorFolderRef("f3", "Sent", "/", null));
        var server = List.of(folder("INBOX"), folder("New"), new FolderInfo("Sent", "/", "\\Sent", true));

        FolderPlanner.Plan plan = FolderPlanner.plan(mirror, server);

        assertThat(plan.create()).extracting(FolderInfo::name).containsExactly("New");
        assertThat(plan.destroyIds()).containsExactly("f2");
        assertThat(plan.update()).singleElement().satisfies(u -> {
            assertThat(u.id()).isEqualTo("f3");
            assertThat(u.info().specialUse()).isEqualTo("\\Sent");
        });
    }

    @Test
    void a_new_folder_with_the_uidvalidity_of_a_vanished_one_is_that_folder_renamed() {
        var mirror = List.of(
                new FolderPlanner.MirrorFolderRef("f1", "INBOX", "/", null, 1L),
                new FolderPlanner.MirrorFolderRef("f2", "Projects", "/", null, 7L),
                new FolderPlanner.MirrorFolderRef("f3", "Projects/2025", "/", null, 8L));
        var server = List.of(folder("INBOX"), folder("Work"), folder("Work/2025"));

        FolderPlanner.Plan first = FolderPlanner.plan(mirror, server);
        assertThat(first.renameCandidates(mirror)).extracting(FolderInfo::name).containsExactly("Work", "Work/2025");
        FolderPlanner.Plan plan = FolderPlanner.plan(mirror, server, java.util.Map.of("Work", 7L, "Work/2025", 8L));

        assertThat(plan.rename())
                .extracting(r -> r.id() + "->" + r.info().name())
                .containsExactly("f2->Work", "f3->Work/2025");
        assertThat(plan.create()).isEmpty();
        assertThat(plan.destroyIds()).isEmpty();
    }

    @Test
    void a_uidvalidity_that_does_not_pair_one_to_one_stays_delete_and_create() {
        var mirror = List.of(
                new FolderPlanner.MirrorFolderRef("f2", "A", "/", null, 7L),
                new FolderPlanner.MirrorFolderRef("f3", "B", "/", null, 7L),
                new FolderPlanner.MirrorFolderRef("f4", "C", "/", null, null));
        var server = List.of(folder("X"), folder("Y"));

        FolderPlanner.Plan plan = FolderPlanner.plan(mirror, server, java.util.Map.of("X", 7L, "Y", 9L));

        assertThat(plan.rename()).isEmpty();
        assertThat(plan.create()).extracting(FolderInfo::name).containsExactly("X", "Y");
        assertThat(plan.destroyIds()).containsExactly("f2", "f3", "f4");
    }

    @Test
    void without_a_vanished_folder_of_known_uidvalidity_no_status_is_needed() {
        var mirror = List.of(new FolderPlanner.MirrorFolderRef("f4", "C", "/", null, null));
        var plan = FolderPlanner.plan(mirror, List.of(folder("D")));
        assertThat(plan.renameCandidates(mirror)).isEmpty();
        assertThat(FolderPlanner.plan(List.of(), List.of(folder("D"))).renameCandidates(List.of()))
                .isEmpty();
    }

    @Test
    void a_refresh_covers_the_union_of_device_views_and_skips_unselectable_folders() {
        var server = List.of(
                folder("INBOX"), folder("Work"), folder("Private"), new FolderInfo("Archive", "/", null, false));
        var views = List.of(
                new DeviceView(List.of("INBOX"), null, null),
                new DeviceView(Arrays.asList("Work", "Archive"), 30, null));

        assertThat(FolderPlanner.toRefresh(server, views))
                .extracting(FolderInfo::name)
                .containsExactly("INBOX", "Work");
    }

    @Test
    void one_device_wanting_everything_makes_the_refresh_cover_everything() {
        var server = List.of(folder("INBOX"), folder("Work"));
        var views = List.of(new DeviceView(List.of("INBOX"), null, null), DeviceView.EVERYTHING);
        assertThat(FolderPlanner.toRefresh(server, views)).hasSize(2);
    }
}
