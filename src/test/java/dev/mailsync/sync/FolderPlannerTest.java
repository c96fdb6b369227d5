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
