package dev.mailsync.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailsync.sync.DeviceChange;
import dev.mailsync.sync.DeviceChangeRules;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of a job's device changes ({@code sync_job.changes}, a JSON array): one object per
 * change, {@code {"v": 1, "type": "MOVE", "changeId": …, "messageId": …, "toFolderId": …}} — the record's
 * components by name, absent when null or empty — so a new kind needs nothing here. {@code v} is the
 * form's version: an object without it was written before versions (the same fields), and a version this
 * code does not know is refused rather than guessed at. Reading goes through {@link DeviceChangeRules},
 * the same rules as the API's.
 */
public final class StoredChanges {
    /** The version this code writes. */
    static final int VERSION = 1;

    private static final String VERSION_FIELD = "v";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredChanges() {}

    /** The JSON array to store; the same changes give the same text (the Idempotency-Key's hash). */
    public static String encode(List<DeviceChange> changes) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (DeviceChange change : changes) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put(VERSION_FIELD, VERSION);
            fields.put("type", change.kind().name());
            for (RecordComponent component : change.getClass().getRecordComponents()) {
                Object value = value(component, change);
                if (value != null && !(value instanceof Collection<?> c && c.isEmpty())) {
                    fields.put(component.getName(), value);
                }
            }
            out.add(fields);
        }
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The changes of a stored array; a change this code cannot read is an error, never skipped. */
    public static List<DeviceChange> decode(String json) {
        List<Map<String, Object>> stored;
        try {
            stored = JSON.readValue(json, new TypeReference<>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored device changes are not a JSON array of objects", e);
        }
        for (Map<String, Object> fields : stored) {
            Object version = fields.remove(VERSION_FIELD);
            if (version != null && !Integer.valueOf(VERSION).equals(version)) {
                throw new IllegalStateException(
                        "stored device change of version " + version + ", this service reads up to " + VERSION);
            }
        }
        DeviceChangeRules.Parsed parsed = DeviceChangeRules.parseStored(stored);
        if (!parsed.valid()) {
            throw new IllegalStateException("stored device changes break the rules: " + parsed.problems());
        }
        return parsed.changes();
    }

    private static Object value(RecordComponent component, DeviceChange change) {
        try {
            return component.getAccessor().invoke(change);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }
}
