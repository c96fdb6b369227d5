package dev.mailsync.sync;

import dev.mailsync.sync.DeviceChange.Append;
import dev.mailsync.sync.DeviceChange.CreateFolder;
import dev.mailsync.sync.DeviceChange.Delete;
import dev.mailsync.sync.DeviceChange.DeleteFolder;
import dev.mailsync.sync.DeviceChange.Kind;
import dev.mailsync.sync.DeviceChange.Move;
import dev.mailsync.sync.DeviceChange.RenameFolder;
import dev.mailsync.sync.DeviceChange.SetFlags;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The rules for the changes a device sends with a sync job: which fields each kind takes, which of them
 * are required, and what a valid value is. The API's request and the job store's stored form are read by
 * the same rules, so a {@link DeviceChange} is valid wherever it comes from. Input is JSON as plain Java
 * values: a list of objects as maps, with strings, numbers, booleans and lists in them.
 */
public final class DeviceChangeRules {
    /** At most this many changes in one request. */
    public static final int MAX_CHANGES = 1000;
    /** An appended message is at most this large once decoded. */
    public static final int MAX_APPEND_BYTES = 25 * 1024 * 1024;

    private static final int MAX_TEXT = 1000;
    private static final int MAX_CHANGE_ID = 100;
    private static final List<String> SYSTEM_FLAGS =
            List.of("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft");
    /** RFC 3501 §9 flag-keyword = atom: no controls, space, ( ) { % * " \ ] */
    private static final Pattern KEYWORD =
            Pattern.compile("[\\x21\\x23\\x24\\x26-\\x27\\x2B-\\x5B\\x5E-\\x7A\\x7C\\x7E]{1,255}");
    /** Every field some kind takes: one of another kind "does not apply", any other "is not a known field". */
    private static final Set<String> FIELDS = fieldsOfEveryKind();

    private DeviceChangeRules() {}

    /** One thing wrong with the input: a path such as {@code changes[2].add[0]}, and what is wrong. */
    public record Problem(String field, String message) {}

    /** The changes, in order, when there is no problem; otherwise no change and every problem. */
    public record Parsed(List<DeviceChange> changes, List<Problem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /** Reads and checks a request's {@code changes}; null is no change. */
    public static Parsed parse(List<?> input) {
        if (input != null && input.size() > MAX_CHANGES) {
            return new Parsed(
                    List.of(), List.of(new Problem("changes", "at most " + MAX_CHANGES + " changes per request")));
        }
        return parseStored(input);
    }

    /**
     * Reads and checks stored changes: the same rules with no limit on their number (a queued job gathers
     * the changes of every request that joined it).
     */
    public static Parsed parseStored(List<?> input) {
        List<?> raw = input == null ? List.of() : input;
        List<Problem> problems = new ArrayList<>();
        List<DeviceChange> changes = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String at = "changes[" + i + "]";
            if (raw.get(i) instanceof Map<?, ?> fields) {
                DeviceChange change = change(new Fields(at, fields, problems));
                if (change != null) {
                    changes.add(change);
                }
            } else {
                problems.add(new Problem(at, "must be an object"));
            }
        }
        return problems.isEmpty() ? new Parsed(List.copyOf(changes), List.of()) : new Parsed(List.of(), problems);
    }

    /** One change: its kind's fields, then what its kind requires beyond them. Null when invalid. */
    private static DeviceChange change(Fields f) {
        String changeId = f.text("changeId", MAX_CHANGE_ID, false);
        Kind kind = f.kind();
        if (kind == null) {
            f.rejectUnknown();
            return null;
        }
        DeviceChange change = switch (kind) {
            case SET_FLAGS -> new SetFlags(changeId, f.required("messageId"), f.flags("add"), f.flags("remove"));
            case DELETE -> new Delete(changeId, f.required("messageId"));
            case MOVE -> new Move(changeId, f.required("messageId"), f.required("toFolderId"));
            case APPEND -> new Append(changeId, f.required("folderId"), f.flags("flags"), f.message("rfc822"));
            case CREATE_FOLDER -> new CreateFolder(changeId, f.required("name"));
            case RENAME_FOLDER -> new RenameFolder(changeId, f.required("folderId"), f.required("newName"));
            case DELETE_FOLDER -> new DeleteFolder(changeId, f.required("folderId"));
        };
        f.rejectOthers(kind);
        if (f.valid()
                && change instanceof SetFlags s
                && s.add().isEmpty()
                && s.remove().isEmpty()) {
            f.problem(null, "SET_FLAGS needs flags to add or to remove");
        }
        return f.valid() ? change : null;
    }

    /** The fields of one change object, read one by one; what was not read is checked last. */
    private static final class Fields {
        private final String at;
        private final Map<?, ?> values;
        private final List<Problem> problems;
        private final int problemsBefore;
        private final Set<String> read = new HashSet<>();

        Fields(String at, Map<?, ?> values, List<Problem> problems) {
            this.at = at;
            this.values = values;
            this.problems = problems;
            this.problemsBefore = problems.size();
        }

        boolean valid() {
            return problems.size() == problemsBefore;
        }

        void problem(String field, String message) {
            problems.add(new Problem(field == null ? at : at + "." + field, message));
        }

        Kind kind() {
            String type = string("type");
            if (type == null) {
                if (values.get("type") == null) {
                    problem("type", "is required");
                }
                return null;
            }
            try {
                return Kind.valueOf(type);
            } catch (IllegalArgumentException e) {
                problem("type", "must be one of " + List.of(Kind.values()));
                return null;
            }
        }

        /** A required text of 1 to 1,000 characters. */
        String required(String field) {
            return text(field, MAX_TEXT, true);
        }

        String text(String field, int max, boolean required) {
            String s = string(field);
            if (s == null) {
                if (required && values.get(field) == null) {
                    problem(field, "is required");
                }
                return null;
            }
            int length = s.codePointCount(0, s.length());
            if (length < 1 || length > max) {
                problem(field, "must be 1 to " + max + " characters long");
            } else if (s.chars().anyMatch(Character::isISOControl)) {
                problem(field, "must not contain control characters");
            }
            return s;
        }

        /** An RFC 5322 message as base64: required, 1 byte to 25 MiB once decoded. */
        String message(String field) {
            String s = text(field, Integer.MAX_VALUE, true);
            if (s != null) {
                try {
                    int size = Base64.getDecoder().decode(s).length;
                    if (size < 1 || size > MAX_APPEND_BYTES) {
                        problem(field, "must be 1 byte to 25 MiB once decoded");
                    }
                } catch (IllegalArgumentException e) {
                    problem(field, "must be base64 of the RFC 5322 message");
                }
            }
            return s;
        }

        /** An optional list of IMAP flags: system flags or keywords. Absent is empty. */
        List<String> flags(String field) {
            read.add(field);
            Object value = values.get(field);
            if (value == null) {
                return List.of();
            }
            if (!(value instanceof List<?> list)) {
                problem(field, "has the wrong type (expected list)");
                return List.of();
            }
            List<String> flags = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof String flag
                        && (SYSTEM_FLAGS.contains(flag) || KEYWORD.matcher(flag).matches())) {
                    flags.add(flag);
                } else {
                    problem(
                            field + "[" + i + "]",
                            "must be a system flag (" + String.join(" ", SYSTEM_FLAGS) + ") or an IMAP keyword");
                }
            }
            return flags;
        }

        /** A scalar as text (a number or boolean as JSON writes it), null when absent or not a scalar. */
        private String string(String field) {
            read.add(field);
            Object value = values.get(field);
            if (value == null || value instanceof String) {
                return (String) value;
            }
            if (value instanceof Number || value instanceof Boolean) {
                return value.toString();
            }
            problem(field, "has the wrong type (expected string)");
            return null;
        }

        /** Fields this kind does not take: another kind's "does not apply", any other is unknown. */
        void rejectOthers(Kind kind) {
            for (Map.Entry<?, ?> e : values.entrySet()) {
                String field = String.valueOf(e.getKey());
                if (!read.contains(field) && e.getValue() != null) {
                    problem(field, FIELDS.contains(field) ? "does not apply to " + kind : "is not a known field");
                }
            }
        }

        /** Without a kind, only fields no kind takes are wrong for sure. */
        void rejectUnknown() {
            for (Map.Entry<?, ?> e : values.entrySet()) {
                String field = String.valueOf(e.getKey());
                if (!read.contains(field) && !FIELDS.contains(field)) {
                    problem(field, "is not a known field");
                }
            }
        }
    }

    private static Set<String> fieldsOfEveryKind() {
        Set<String> fields = new TreeSet<>();
        List<Class<?>> open = new ArrayList<>(List.of(DeviceChange.class.getPermittedSubclasses()));
        while (!open.isEmpty()) {
            Class<?> type = open.removeLast();
            if (type.isRecord()) {
                for (RecordComponent c : type.getRecordComponents()) {
                    fields.add(c.getName());
                }
            } else if (type.isSealed()) {
                open.addAll(List.of(type.getPermittedSubclasses()));
            }
        }
        return Set.copyOf(fields);
    }
}
