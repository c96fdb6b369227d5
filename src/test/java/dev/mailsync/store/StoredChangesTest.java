package dev.mailsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.sync.DeviceChange;
import dev.mailsync.sync.DeviceChange.Append;
import dev.mailsync.sync.DeviceChange.CreateFolder;
import dev.mailsync.sync.DeviceChange.Delete;
import dev.mailsync.sync.DeviceChange.DeleteFolder;
import dev.mailsync.sync.DeviceChange.Move;
import dev.mailsync.sync.DeviceChange.RenameFolder;
import dev.mailsync.sync.DeviceChange.SetFlags;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The stored form of device changes: every kind comes back as it went in, old rows still read. */
class StoredChangesTest {
    private static final List<DeviceChange> ONE_OF_EACH = List.of(
            new SetFlags("c1", "m1", List.of("\\Seen", "$Work"), List.of("\\Flagged")),
            new Delete(null, "m2"),
            new Move("c3", "m3", "f1"),
            new Append(null, "f2", List.of("\\Seen"), "U3ViamVjdDogaGkNCg0KaGkNCg=="),
            new CreateFolder(null, "Projects/2026"),
            new RenameFolder(null, "f3", "Archive 2026"),
            new DeleteFolder("c7", "f4"));

    @Test
    void every_kind_comes_back_as_it_was_stored() {
        assertThat(ONE_OF_EACH.stream().map(DeviceChange::kind).collect(Collectors.toSet()))
                .as("the list has one change of each kind")
                .isEqualTo(Set.copyOf(Arrays.asList(DeviceChange.Kind.values())));
        assertThat(StoredChanges.decode(StoredChanges.encode(ONE_OF_EACH))).isEqualTo(ONE_OF_EACH);
    }

    @Test
    void the_same_changes_are_the_same_text_with_a_version_on_each() {
        String json = StoredChanges.encode(List.of(new Move("c3", "m3", "f1"), new Delete(null, "m2")));
        assertThat(json)
                .isEqualTo(
                        "[{\"v\":1,\"type\":\"MOVE\",\"changeId\":\"c3\",\"messageId\":\"m3\",\"toFolderId\":\"f1\"},"
                                + "{\"v\":1,\"type\":\"DELETE\",\"messageId\":\"m2\"}]");
        assertThat(StoredChanges.encode(List.of(new Move("c3", "m3", "f1"), new Delete(null, "m2"))))
                .isEqualTo(json);
    }

    @Test
    void a_row_written_before_versions_reads_as_version_one() {
        String unversioned = "[{\"type\": \"SET_FLAGS\", \"changeId\": \"c1\", \"messageId\": \"m1\","
                + " \"add\": [\"\\\\Seen\"]}, {\"type\": \"DELETE\", \"messageId\": \"m2\"}]";
        assertThat(StoredChanges.decode(unversioned))
                .containsExactly(new SetFlags("c1", "m1", List.of("\\Seen"), List.of()), new Delete(null, "m2"));
        assertThat(StoredChanges.decode("[]")).isEmpty();
    }

    @Test
    void a_version_this_code_does_not_know_is_refused_not_guessed() {
        assertThatThrownBy(() -> StoredChanges.decode("[{\"v\": 2, \"type\": \"DELETE\", \"messageId\": \"m\"}]"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> StoredChanges.decode("[{\"v\": 1, \"type\": \"TELEPORT\"}]"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("changes[0].type");
    }
}
