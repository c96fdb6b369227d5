package dev.mailsync.ops;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks rendered objects against the Kubernetes API types (fabric8's generated model classes) with
 * unknown fields rejected. Those classes never fail on an unknown field: they keep it in an {@code
 * additionalProperties} map. So an object is accepted only when it binds to its class and no such map
 * is non-empty at any depth; and, to catch values Jackson would coerce (a string where the API wants an
 * integer), when writing the bound object back gives the same tree.
 */
final class KubernetesTypes {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .build();

    /** apiVersion + kind of every object the manifests may contain, and its model class. */
    static final Map<String, Class<?>> KINDS = Map.ofEntries(
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry("apps/v1/StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class),
            Map.entry(
                    "autoscaling/v2/HorizontalPodAutoscaler",
                    io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class),
            Map.entry(
                    "policy/v1/PodDisruptionBudget",
                    io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class),
            Map.entry(
                    "networking.k8s.io/v1/NetworkPolicy",
                    io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry(
                    "monitoring.coreos.com/v1/ServiceMonitor",
                    io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class),
            Map.entry(
                    "monitoring.coreos.com/v1/PrometheusRule",
                    io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule.class));

    private KubernetesTypes() {}

    static String typeOf(JsonNode object) {
        return object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    }

    static String nameOf(JsonNode object) {
        return typeOf(object) + " " + object.path("metadata").path("name").asText();
    }

    /** What is wrong with this object against its API type; empty when nothing is. */
    static List<String> problems(JsonNode object) {
        Class<?> type = KINDS.get(typeOf(object));
        if (type == null) {
            return List.of(
                    nameOf(object) + ": no API type known for " + typeOf(object) + " (known: " + KINDS.keySet() + ")");
        }
        return bindStrictly(object, type).stream()
                .map(p -> nameOf(object) + ": " + p)
                .toList();
    }

    /** Problems of one JSON tree read as that model class: binding errors, unknown fields, coercions. */
    static List<String> bindStrictly(JsonNode node, Class<?> type) {
        Object bound;
        try {
            bound = JSON.treeToValue(node, type);
        } catch (Exception e) {
            return List.of("does not bind to " + type.getSimpleName() + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        unknownFields(bound, "", problems, new IdentityHashMap<>());
        if (problems.isEmpty()) {
            JsonNode back = JSON.valueToTree(bound);
            List<String> differences = new ArrayList<>();
            differences(node, back, "", differences);
            differences.forEach(
                    d -> problems.add("not kept as written when read as " + type.getSimpleName() + ": " + d));
        }
        return problems;
    }

    /**
     * Where the written tree is not kept, as "path: written -> read back". Fields the model adds with a
     * default (apiVersion and kind of an embedded template) and int/long representations do not count.
     */
    private static void differences(JsonNode in, JsonNode out, String path, List<String> found) {
        if (in.equals(out) || in.isMissingNode()) {
            return;
        }
        if (in.isNumber() && out.isNumber() && in.decimalValue().compareTo(out.decimalValue()) == 0) {
            return;
        }
        if (in.isObject() && out.isObject()) {
            java.util.Set<String> names = new java.util.TreeSet<>();
            in.fieldNames().forEachRemaining(names::add);
            out.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                differences(in.path(name), out.path(name), path + "." + name, found);
            }
        } else if (in.isArray() && out.isArray() && in.size() == out.size()) {
            for (int i = 0; i < in.size(); i++) {
                differences(in.get(i), out.get(i), path + "[" + i + "]", found);
            }
        } else {
            found.add((path.isEmpty() ? "top level" : path) + ": " + in + " -> " + out);
        }
    }

    private static void unknownFields(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add("unknown field(s) " + extra.keySet() + " at " + (path.isEmpty() ? "top level" : path));
                }
                continue;
            }
            String name = getter.getName().startsWith("is")
                    ? getter.getName().substring(2)
                    : getter.getName().substring(3);
            unknownFields(
                    child, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1), problems, seen);
        }
    }
}
