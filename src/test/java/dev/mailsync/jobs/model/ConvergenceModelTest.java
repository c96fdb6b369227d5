package dev.mailsync.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model's own parts, without a server: the strict device, and a generator that covers every step. */
class ConvergenceModelTest {
    private static final List<String> FLAGS = List.of("\\Seen", "\\Flagged", "$Work");

    private static DeviceReplica deviceWithOneMessage() {
        DeviceReplica d = new DeviceReplica("phone", "dev_1");
        d.applyFolders(List.of(Map.of("id", "fld_inbox", "name", "INBOX")), List.of(), List.of());
        d.applyMessages(List.of(message("msg_1", "fld_inbox", "<a@x>", List.of())), List.of(), List.of());
        return d;
    }

    private static Map<String, Object> message(String id, String folderId, String messageId, List<String> flags) {
        return Map.of("id", id, "folderId", folderId, "messageId", messageId, "flags", flags);
    }

    @Test
    void a_message_created_twice_is_a_broken_delta() {
        DeviceReplica d = deviceWithOneMessage();

        assertThatThrownBy(() -> d.applyMessages(
                        List.of(message("msg_1", "fld_inbox", "<a@x>", List.of())), List.of(), List.of()))
                .isInstanceOf(ModelFailure.class)
                .hasMessageContaining("created again");
    }

    @Test
    void an_update_or_destroy_of_a_message_the_device_never_had_is_a_broken_delta() {
        DeviceReplica d = deviceWithOneMessage();

        assertThatThrownBy(() -> d.applyMessages(
                        List.of(), List.of(Map.of("id", "msg_2", "flags", List.of("\\Seen"))), List.of()))
                .hasMessageContaining("update of unknown message msg_2");
        assertThatThrownBy(() -> d.applyMessages(List.of(), List.of(), List.of("msg_2")))
                .hasMessageContaining("destroy of unknown message msg_2");
    }

    @Test
    void a_message_in_a_folder_the_device_does_not_know_is_a_broken_delta() {
        DeviceReplica d = deviceWithOneMessage();

        assertThatThrownBy(() -> d.applyMessages(
                        List.of(message("msg_2", "fld_other", "<b@x>", List.of())), List.of(), List.of()))
                .hasMessageContaining("unknown folder fld_other");
    }

    @Test
    void the_destroy_of_a_message_the_device_deleted_itself_is_taken_once() {
        DeviceReplica d = deviceWithOneMessage();
        d.ownRemove("msg_1");

        d.applyMessages(List.of(), List.of(), List.of("msg_1"));

        assertThat(d.messages()).isEmpty();
        assertThatThrownBy(() -> d.applyMessages(List.of(), List.of(), List.of("msg_1")))
                .hasMessageContaining("destroy of unknown message msg_1");
    }

    @Test
    void the_new_id_of_its_own_move_may_come_back_as_created_once_and_then_carries_the_mirror_flags() {
        DeviceReplica d = deviceWithOneMessage();
        d.applyFolders(List.of(Map.of("id", "fld_archive", "name", "Archive")), List.of(), List.of());
        d.ownMove("msg_1", "msg_9", "fld_archive");

        d.applyMessages(
                List.of(message("msg_9", "fld_archive", "<a@x>", List.of("\\Seen"))), List.of(), List.of("msg_1"));

        assertThat(d.facts()).containsExactly(new Fact("Archive", "<a@x>", new java.util.TreeSet<>(List.of("\\Seen"))));
        assertThatThrownBy(() -> d.applyMessages(
                        List.of(message("msg_9", "fld_archive", "<a@x>", List.of())), List.of(), List.of()))
                .hasMessageContaining("created again");
    }

    @Test
    void generated_sequences_use_every_kind_of_step_and_change() {
        Step.Shape shape = new Step.Shape(2, 10, 30, FLAGS);
        java.util.Set<Class<?>> kinds = new java.util.HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            for (Step step : Step.generate(seed, shape)) {
                kinds.add(step.getClass());
                if (step instanceof Step.DeviceSync sync) {
                    sync.changes().forEach(c -> kinds.add(c.getClass()));
                }
            }
        }

        assertThat(kinds)
                .contains(
                        Step.ServerAppend.class,
                        Step.ServerFlag.class,
                        Step.ServerExpunge.class,
                        Step.ServerMove.class,
                        Step.DeviceSync.class,
                        Step.DeviceRead.class,
                        Step.Change.SetFlags.class,
                        Step.Change.Delete.class,
                        Step.Change.Move.class,
                        Step.Change.Unknown.class);
    }
}
