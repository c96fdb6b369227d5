package dev.mailsync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailsync.service.InvalidInputException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Reads request bodies, and applies JSON merge patches (RFC 7396) to a resource's writable fields. */
@ApplicationScoped
class JsonBodies {
    private final ObjectMapper mapper;

    @Inject
    JsonBodies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Parses a body; a missing or non-object body is a 400, bad JSON a 400 through the mapper. */
    <T> T read(String body, Class<T> type) throws JsonProcessingException {
        return mapper.treeToValue(object(body), type);
    }

    /**
     * Returns a function that applies the merge patch {@code body} to a value of {@code type}: the value
     * becomes JSON, the patch is merged in (null removes a member), and the result is read back with the
     * same strict rules as a create.
     */
    <T> UnaryOperator<T> mergePatch(String body, Class<T> type) throws JsonProcessingException {
        ObjectNode patch = object(body);
        return current -> {
            JsonNode merged = merge(mapper.valueToTree(current), patch);
            try {
                return mapper.treeToValue(merged, type);
            } catch (JsonProcessingException e) {
                throw new PatchFailed(e);
            }
        };
    }

    private ObjectNode object(String body) throws JsonProcessingException {
        if (body == null || body.isBlank()) {
            throw new InvalidInputException("body", "a JSON object is required");
        }
        JsonNode node = mapper.readTree(body);
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidInputException("body", "must be a JSON object");
        }
        return object;
    }

    /** RFC 7396 section 2, MergePatch(Target, Patch). */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    /** A patched document that no longer reads as the resource; carries Jackson's exception out. */
    static final class PatchFailed extends RuntimeException {
        PatchFailed(JsonProcessingException cause) {
            super(cause);
        }

        @Override
        public JsonProcessingException getCause() {
            return (JsonProcessingException) super.getCause();
        }
    }
}
