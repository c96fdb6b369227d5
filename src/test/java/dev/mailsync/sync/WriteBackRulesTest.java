package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.ChangeResult.Status;
import dev.mailsync.sync.WriteBackRules.Answer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** "Device changes" of docs/rules.md: what is answered before the server is asked, and what is done. */
class WriteBackRulesTest {
    private static final Optional<Answer> GO_ON = Optional.empty();

    private static Status status(Optional<Answer> answer) {
        return answer.map(Answer::status).orElse(null);
    }

    @Test
    void set_flags_is_already_applied_when_the_message_has_every_flag_to_add_and_none_to_remove() {
        Set<String> seenFlagged = Set.of("\\Seen", "\\Flagged");
        assertThat(status(WriteBackRules.setFlags(seenFlagged, List.of("\\Seen"), List.of("\\Answered"))))
                .isEqualTo(Status.ALREADY_APPLIED);
        assertThat(WriteBackRules.setFlags(seenFlagged, List.of("\\Answered"), List.of()))
                .isEqualTo(GO_ON);
        assertThat(WriteBackRules.setFlags(seenFlagged, List.of(), List.of("\\Flagged")))
                .isEqualTo(GO_ON);
    }

    @Test
    void a_flag_change_is_the_devices_own_only_when_the_server_merged_nothing_else_in() {
        Set<String> seen = Set.of("\\Seen");
        // the device flags it; the server has exactly that: the device authored the result
        assertThat(WriteBackRules.authoredFlags(seen, List.of("\\Flagged"), List.of(), Set.of("\\Seen", "\\Flagged")))
                .isTrue();
        // meanwhile another client marked it answered: the device must get the merged flags as updated
        assertThat(WriteBackRules.authoredFlags(
                        seen, List.of("\\Flagged"), List.of(), Set.of("\\Seen", "\\Flagged", "\\Answered")))
                .isFalse();
        // removing: the view minus the change
        assertThat(WriteBackRules.authoredFlags(seen, List.of(), List.of("\\Seen"), Set.of()))
                .isTrue();
    }

    @Test
    void delete_in_trash_mode_moves_to_trash_and_expunges_what_is_in_trash_already() {
        Optional<String> trash = Optional.of("Trash");
        assertThat(WriteBackRules.deleteRefused(ImapDeleteMode.TRASH, trash)).isEqualTo(GO_ON);
        assertThat(WriteBackRules.deleteMovesTo(ImapDeleteMode.TRASH, trash, "INBOX"))
                .contains("Trash");
        assertThat(WriteBackRules.deleteMovesTo(ImapDeleteMode.TRASH, trash, "Trash"))
                .isEmpty();
    }

    @Test
    void delete_in_trash_mode_without_a_special_use_trash_is_rejected() {
        Optional<Answer> refused = WriteBackRules.deleteRefused(ImapDeleteMode.TRASH, Optional.empty());
        assertThat(status(refused)).isEqualTo(Status.REJECTED);
        assertThat(refused.get().reason()).contains("imapDeleteMode EXPUNGE");
    }

    @Test
    void delete_in_expunge_mode_expunges_where_the_message_is() {
        assertThat(WriteBackRules.deleteRefused(ImapDeleteMode.EXPUNGE, Optional.empty()))
                .isEqualTo(GO_ON);
        assertThat(WriteBackRules.deleteMovesTo(ImapDeleteMode.EXPUNGE, Optional.of("Trash"), "INBOX"))
                .isEmpty();
    }

    @Test
    void a_move_into_the_folder_the_message_is_in_is_already_applied() {
        assertThat(status(WriteBackRules.move("f1", "f1"))).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(WriteBackRules.move("f1", "f2")).isEqualTo(GO_ON);
    }

    @Test
    void rename_folder_same_name_is_done_inbox_and_taken_names_are_rejected() {
        assertThat(status(WriteBackRules.renameFolder("Work", "Work", true))).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(WriteBackRules.renameFolder("INBOX", "Old", false).map(Answer::reason))
                .contains("INBOX cannot be renamed");
        assertThat(WriteBackRules.renameFolder("inbox", "Old", false).map(Answer::status))
                .contains(Status.REJECTED);
        assertThat(WriteBackRules.renameFolder("Work", "Jobs", true).map(Answer::reason))
                .contains("a folder named Jobs exists already");
        assertThat(WriteBackRules.renameFolder("Work", "Jobs", false)).isEqualTo(GO_ON);
    }

    @Test
    void delete_folder_only_an_empty_folder_without_subfolders_and_never_inbox() {
        assertThat(WriteBackRules.deleteFolder("INBOX").map(Answer::reason)).contains("INBOX cannot be deleted");
        assertThat(WriteBackRules.deleteFolder("Work")).isEqualTo(GO_ON);
        List<String> server = List.of("INBOX", "Work", "Work/2025", "Workshop");
        assertThat(WriteBackRules.deleteFolder("Work", "/", server).map(Answer::reason))
                .contains("the folder has subfolders: delete them first");
        assertThat(WriteBackRules.deleteFolder("Work/2025", "/", server)).isEqualTo(GO_ON);
        // "Workshop" is not a subfolder of "Work"
        assertThat(WriteBackRules.deleteFolder("Workshop", "/", server)).isEqualTo(GO_ON);
        assertThat(WriteBackRules.deleteFolder(3).map(Answer::reason))
                .hasValueSatisfying(r -> assertThat(r).startsWith("the folder is not empty (3 messages)"));
        assertThat(WriteBackRules.deleteFolder(0)).isEqualTo(GO_ON);
    }
}
