package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailsync.sync.DeviceChange.Append;
import dev.mailsync.sync.DeviceChange.CreateFolder;
import dev.mailsync.sync.DeviceChange.Delete;
import dev.mailsync.sync.DeviceChange.DeleteFolder;
import dev.mailsync.sync.DeviceChange.Move;
import dev.mailsync.sync.DeviceChange.RenameFolder;
import dev.mailsync.sync.DeviceChange.SetFlags;
import dev.mailsync.sync.DeviceChangeRules.Problem;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules of docs/rules.md, "Device changes": what each kind takes, and what a device is told when not. */
class DeviceChangeRulesTest {
    private static final String MESSAGE = Base64.getEncoder().encodeToString("Subject: hi\r\n\r\nhello\r\n".getBytes());

    /** Every kind: the fields it takes, and the record it becomes. */
    static Stream<Arguments> each_kind_takes_exactly_its_fields() {
        return Stream.of(
                Arguments.of(
                        Map.of("type", "SET_FLAGS", "changeId", "c1", "messageId", "m", "add", List.of("\\Seen")),
                        new SetFlags("c1", "m", List.of("\\Seen"), List.of())),
                Arguments.of(
                        Map.of("type", "SET_FLAGS", "messageId", "m", "remove", List.of("$Work", "\\Flagged")),
                        new SetFlags(null, "m", List.of(), List.of("$Work", "\\Flagged"))),
                Arguments.of(Map.of("type", "DELETE", "messageId", "m"), new Delete(null, "m")),
                Arguments.of(Map.of("type", "MOVE", "messageId", "m", "toFolderId", "f"), new Move(null, "m", "f")),
                Arguments.of(
                        Map.of("type", "APPEND", "folderId", "f", "rfc822", MESSAGE),
                        new Append(null, "f", List.of(), MESSAGE)),
                Arguments.of(
                        Map.of("type", "APPEND", "folderId", "f", "rfc822", MESSAGE, "flags", List.of("\\Seen")),
                        new Append(null, "f", List.of("\\Seen"), MESSAGE)),
                Arguments.of(
                        Map.of("type", "CREATE_FOLDER", "name", "Projects/2026"),
                        new CreateFolder(null, "Projects/2026")),
                Arguments.of(
                        Map.of("type", "RENAME_FOLDER", "folderId", "f", "newName", "Old projects"),
                        new RenameFolder(null, "f", "Old projects")),
                Arguments.of(Map.of("type", "DELETE_FOLDER", "folderId", "f"), new DeleteFolder(null, "f")));
    }

    @ParameterizedTest
    @MethodSource
    void each_kind_takes_exactly_its_fields(Map<String, Object> input, DeviceChange expected) {
        DeviceChangeRules.Parsed parsed = DeviceChangeRules.parse(List.of(input));
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.changes()).containsExactly(expected);
    }

    /** Input that breaks a rule, and the one problem (path and message) it is answered with. */
    static Stream<Arguments> a_broken_rule_is_named_by_its_path() {
        return Stream.of(
                Arguments.of(Map.of("messageId", "m"), "changes[0].type", "is required"),
                Arguments.of(
                        Map.of("type", "TELEPORT"),
                        "changes[0].type",
                        "must be one of [SET_FLAGS, DELETE, MOVE, APPEND, CREATE_FOLDER, RENAME_FOLDER, DELETE_FOLDER]"),
                Arguments.of(Map.of("type", "DELETE"), "changes[0].messageId", "is required"),
                Arguments.of(Map.of("type", "MOVE", "messageId", "m"), "changes[0].toFolderId", "is required"),
                Arguments.of(
                        Map.of("type", "DELETE", "messageId", "m", "toFolderId", "f"),
                        "changes[0].toFolderId",
                        "does not apply to DELETE"),
                Arguments.of(
                        Map.of("type", "DELETE", "messageId", "m", "colour", 1),
                        "changes[0].colour",
                        "is not a known field"),
                Arguments.of(
                        Map.of("type", "SET_FLAGS", "messageId", "m"),
                        "changes[0]",
                        "SET_FLAGS needs flags to add or to remove"),
                Arguments.of(
                        Map.of("type", "SET_FLAGS", "messageId", "m", "add", List.of("bad flag")),
                        "changes[0].add[0]",
                        "must be a system flag (\\Seen \\Answered \\Flagged \\Deleted \\Draft) or an IMAP keyword"),
                Arguments.of(
                        Map.of("type", "SET_FLAGS", "messageId", "m", "add", "\\Seen"),
                        "changes[0].add",
                        "has the wrong type (expected list)"),
                Arguments.of(
                        Map.of("type", "DELETE", "messageId", Map.of("id", "m")),
                        "changes[0].messageId",
                        "has the wrong type (expected string)"),
                Arguments.of(
                        Map.of("type", "DELETE", "messageId", "x".repeat(1001)),
                        "changes[0].messageId",
                        "must be 1 to 1000 characters long"),
                Arguments.of(
                        Map.of("type", "DELETE", "messageId", "m\u0000"),
                        "changes[0].messageId",
                        "must not contain control characters"),
                Arguments.of(
                        Map.of("type", "DELETE", "messageId", "m", "changeId", "c".repeat(101)),
                        "changes[0].changeId",
                        "must be 1 to 100 characters long"),
                Arguments.of(
                        Map.of("type", "APPEND", "folderId", "f", "rfc822", "%%%"),
                        "changes[0].rfc822",
                        "must be base64 of the RFC 5322 message"),
                Arguments.of(
                        Map.of(
                                "type",
                                "APPEND",
                                "folderId",
                                "f",
                                "rfc822",
                                Base64.getEncoder().encodeToString(new byte[DeviceChangeRules.MAX_APPEND_BYTES + 1])),
                        "changes[0].rfc822",
                        "must be 1 byte to 25 MiB once decoded"));
    }

    @ParameterizedTest
    @MethodSource
    void a_broken_rule_is_named_by_its_path(Map<String, Object> input, String field, String message) {
        DeviceChangeRules.Parsed parsed = DeviceChangeRules.parse(List.of(input));
        assertThat(parsed.valid()).isFalse();
        assertThat(parsed.changes()).isEmpty();
        assertThat(parsed.problems()).containsExactly(new Problem(field, message));
    }

    @Test
    void every_problem_of_every_change_is_answered_at_once_and_no_change_is_kept() {
        List<Object> input = new ArrayList<>();
        input.add(Map.of("type", "DELETE", "messageId", "m"));
        input.add(Map.of("type", "TELEPORT"));
        input.add("not an object");
        input.add(null);
        input.add(Map.of("type", "MOVE"));
        DeviceChangeRules.Parsed parsed = DeviceChangeRules.parse(input);
        assertThat(parsed.changes()).isEmpty();
        assertThat(parsed.problems())
                .extracting(Problem::field)
                .containsExactlyInAnyOrder(
                        "changes[1].type", "changes[2]", "changes[3]", "changes[4].messageId", "changes[4].toFolderId");
    }

    @Test
    void a_null_value_is_an_absent_field_and_scalars_are_read_as_text() {
        Map<String, Object> input = new HashMap<>(Map.of("type", "DELETE", "messageId", 42));
        input.put("toFolderId", null);
        DeviceChangeRules.Parsed parsed = DeviceChangeRules.parse(List.of(input));
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.changes()).containsExactly(new Delete(null, "42"));
    }

    @Test
    void a_request_has_at_most_a_thousand_changes_but_a_job_may_gather_more() {
        List<Object> many =
                Collections.nCopies(DeviceChangeRules.MAX_CHANGES + 1, Map.of("type", "DELETE", "messageId", "m"));
        assertThat(DeviceChangeRules.parse(many).problems())
                .containsExactly(new Problem("changes", "at most 1000 changes per request"));
        assertThat(DeviceChangeRules.parseStored(many).changes()).hasSize(DeviceChangeRules.MAX_CHANGES + 1);
        assertThat(DeviceChangeRules.parse(null).changes()).isEmpty();
    }
}
