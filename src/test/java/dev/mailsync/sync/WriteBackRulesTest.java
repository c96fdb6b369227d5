package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.ChangeResult.Status;
import dev.mailsync.sync.DeviceChange.Answer;
import dev.mailsync.sync.DeviceChange.Delete;
import dev.mailsync.sync.DeviceChange.DeleteFolder;
import dev.mailsync.sync.DeviceChange.Move;
import dev.mailsync.sync.DeviceChange.RenameFolder;
import dev.mailsync.sync.DeviceChange.SetFlags;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * "Device changes" of docs/rules.md, as each kind's record says them: what is answered before the server
 * is asked, and what is done.
 */
class WriteBackRulesTest {
    private static final Optional<Answer> GO_ON = Optional.empty();

    private static Status status(Optional<Answer> answer) {
        return answer.map(Answer::status).orElse(null);
    }

    private static SetFlags setFlags(List<String> add, List<String> remove) {
        return new SetFlags(null, "msg", add, remove);
    }

    @Test
    void set_flags_is_already_applied_when_the_message_has_every_flag_to_add_and_none_to_remove() {
        Set<String> seenFlagged = Set.of("\\Seen", "\\Flagged");
        assertThat(status(setFlags(List.of("\\Seen"), List.of("\\Answered")).alreadyApplied(seenFlagged)))
                .isEqualTo(Status.ALREADY_APPLIED);
        assertThat(setFlags(List.of("\\Answered"), List.of()).alreadyApplied(seenFlagged))
                .isEqualTo(GO_ON);
        assertThat(setFlags(List.of(), List.of("\\Flagged")).alreadyApplied(seenFlagged))
                .isEqualTo(GO_ON);
    }

    @Test
    void a_flag_change_is_the_devices_own_only_when_the_server_merged_nothing_else_in() {
        Set<String> seen = Set.of("\\Seen");
        SetFlags flag = setFlags(List.of("\\Flagged"), List.of());
        // the device flags it; the server has exactly that: the device authored the result
        assertThat(flag.authored(seen, Set.of("\\Seen", "\\Flagged"))).isTrue();
        // meanwhile another client marked it answered: the device must get the merged flags as updated
        assertThat(flag.authored(seen, Set.of("\\Seen", "\\Flagged", "\\Answered")))
                .isFalse();
        // removing: the view minus the change
        assertThat(setFlags(List.of(), List.of("\\Seen")).authored(seen, Set.of()))
                .isTrue();
    }

    @Test
    void delete_in_trash_mode_moves_to_trash_and_expunges_what_is_in_trash_already() {
        Delete delete = new Delete(null, "msg");
        Optional<String> trash = Optional.of("Trash");
        assertThat(delete.refused(ImapDeleteMode.TRASH, trash)).isEqualTo(GO_ON);
        assertThat(delete.movesTo(ImapDeleteMode.TRASH, trash, "INBOX")).contains("Trash");
        assertThat(delete.movesTo(ImapDeleteMode.TRASH, trash, "Trash")).isEmpty();
    }

    @Test
    void delete_in_trash_mode_without_a_special_use_trash_is_rejected() {
        Optional<Answer> refused = new Delete(null, "msg").refused(ImapDeleteMode.TRASH, Optional.empty());
        assertThat(status(refused)).isEqualTo(Status.REJECTED);
        assertThat(refused.get().reason()).contains("imapDeleteMode EXPUNGE");
    }

    @Test
    void delete_in_expunge_mode_expunges_where_the_message_is() {
        Delete delete = new Delete(null, "msg");
        assertThat(delete.refused(ImapDeleteMode.EXPUNGE, Optional.empty())).isEqualTo(GO_ON);
        assertThat(delete.movesTo(ImapDeleteMode.EXPUNGE, Optional.of("Trash"), "INBOX"))
                .isEmpty();
    }

    @Test
    void a_move_into_the_folder_the_message_is_in_is_already_applied() {
        Move toF1 = new Move(null, "msg", "f1");
        assertThat(status(toF1.alreadyApplied("f1"))).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(toF1.alreadyApplied("f2")).isEqualTo(GO_ON);
    }

    @Test
    void rename_folder_same_name_is_done_inbox_and_taken_names_are_rejected() {
        assertThat(status(new RenameFolder(null, "f", "Work").answer("Work", true)))
                .isEqualTo(Status.ALREADY_APPLIED);
        RenameFolder toOld = new RenameFolder(null, "f", "Old");
        assertThat(toOld.answer("INBOX", false).map(Answer::reason)).contains("INBOX cannot be renamed");
        assertThat(toOld.answer("inbox", false).map(Answer::status)).contains(Status.REJECTED);
        RenameFolder toJobs = new RenameFolder(null, "f", "Jobs");
        assertThat(toJobs.answer("Work", true).map(Answer::reason)).contains("a folder named Jobs exists already");
        assertThat(toJobs.answer("Work", false)).isEqualTo(GO_ON);
    }

    @Test
    void delete_folder_only_an_empty_folder_without_subfolders_and_never_inbox() {
        DeleteFolder delete = new DeleteFolder(null, "f");
        assertThat(delete.refused("INBOX").map(Answer::reason)).contains("INBOX cannot be deleted");
        assertThat(delete.refused("Work")).isEqualTo(GO_ON);
        List<String> server = List.of("INBOX", "Work", "Work/2025", "Workshop");
        assertThat(delete.refused("Work", "/", server).map(Answer::reason))
                .contains("the folder has subfolders: delete them first");
        assertThat(delete.refused("Work/2025", "/", server)).isEqualTo(GO_ON);
        // "Workshop" is not a subfolder of "Work"
        assertThat(delete.refused("Workshop", "/", server)).isEqualTo(GO_ON);
        assertThat(delete.refusedNotEmpty(3).map(Answer::reason))
                .hasValueSatisfying(r -> assertThat(r).startsWith("the folder is not empty (3 messages)"));
        assertThat(delete.refusedNotEmpty(0)).isEqualTo(GO_ON);
    }
}
