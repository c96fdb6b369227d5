package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewRulesTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void a_view_without_limits_sees_every_message() {
        assertThat(ViewRules.messageVisible(DeviceView.EVERYTHING, "Any", null, 1_000_000, NOW))
                .isTrue();
    }

    @Test
    void the_window_keeps_only_messages_received_in_the_last_n_days() {
        DeviceView week = new DeviceView(null, 7, null);
        assertThat(ViewRules.messageVisible(week, "INBOX", NOW.minus(Duration.ofDays(6)), 0, NOW))
                .isTrue();
        assertThat(ViewRules.messageVisible(week, "INBOX", NOW.minus(Duration.ofDays(8)), 0, NOW))
                .isFalse();
        assertThat(ViewRules.messageVisible(week, "INBOX", null, 0, NOW)).isFalse();
    }

    @Test
    void the_maximum_per_folder_keeps_the_newest() {
        DeviceView hundred = new DeviceView(null, null, 100);
        assertThat(ViewRules.messageVisible(hundred, "INBOX", NOW, 99, NOW)).isTrue();
        assertThat(ViewRules.messageVisible(hundred, "INBOX", NOW, 100, NOW)).isFalse();
    }

    @Test
    void chosen_folders_hide_the_others() {
        DeviceView work = new DeviceView(List.of("Work"), null, null);
        assertThat(ViewRules.folderVisible(work, "Work")).isTrue();
        assertThat(ViewRules.messageVisible(work, "INBOX", NOW, 0, NOW)).isFalse();
    }
}
