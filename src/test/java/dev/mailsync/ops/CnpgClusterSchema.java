package dev.mailsync.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hand-written schema of the CloudNativePG {@code Cluster} fields the prod overlay uses
 * ({@code postgresql.cnpg.io/v1}, ClusterSpec of CloudNativePG 1.2x's API reference), not the full CRD:
 * a field outside this list is refused, so adding one means checking it in the API reference and adding
 * it here. Nested Kubernetes types (metadata, resources) are checked with the real model classes.
 */
final class CnpgClusterSchema {
    private static final Object STRING = "string";
    private static final Object INT = "int";
    private static final Object BOOL = "bool";
    private static final Object QUANTITY = "quantity";
    private static final Object STRING_MAP = "map of strings";
    private static final Object METADATA = ObjectMeta.class;
    private static final Object RESOURCES = ResourceRequirements.class;

    private static final Map<String, Object> CLUSTER = Map.of(
            "apiVersion", Set.of("postgresql.cnpg.io/v1"),
            "kind", Set.of("Cluster"),
            "metadata", METADATA,
            "spec",
                    Map.of(
                            "instances", INT,
                            "imageName", STRING,
                            "primaryUpdateStrategy", Set.of("unsupervised", "supervised"),
                            "postgresql", Map.of("parameters", STRING_MAP),
                            "bootstrap",
                                    Map.of(
                                            "initdb",
                                            Map.of(
                                                    "database", STRING,
                                                    "owner", STRING,
                                                    "secret", Map.of("name", STRING))),
                            "storage", Map.of("size", QUANTITY, "storageClass", STRING),
                            "resources", RESOURCES,
                            "affinity",
                                    Map.of(
                                            "enablePodAntiAffinity", BOOL,
                                            "topologyKey", STRING,
                                            "podAntiAffinityType", Set.of("preferred", "required")),
                            "monitoring", Map.of("enablePodMonitor", BOOL)));

    private CnpgClusterSchema() {}

    static List<String> problems(JsonNode cluster) {
        List<String> problems = new ArrayList<>();
        check(CLUSTER, cluster, "", problems);
        if (!cluster.path("spec").path("instances").isInt()) {
            problems.add("spec.instances is required");
        }
        return problems.stream()
                .map(p -> "postgresql.cnpg.io/v1/Cluster "
                        + cluster.path("metadata").path("name").asText() + ": " + p)
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static void check(Object schema, JsonNode node, String path, List<String> problems) {
        if (schema instanceof Map<?, ?> fields) {
            if (!node.isObject()) {
                problems.add(path + " must be an object");
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                Object sub = ((Map<String, Object>) fields).get(field.getKey());
                String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (sub == null) {
                    problems.add("unknown field " + at);
                } else {
                    check(sub, field.getValue(), at, problems);
                }
            }
        } else if (schema instanceof Set<?> allowed) {
            if (!node.isTextual() || !allowed.contains(node.asText())) {
                problems.add(path + " must be one of " + allowed + ", is " + node);
            }
        } else if (schema == STRING && !node.isTextual()) {
            problems.add(path + " must be a string");
        } else if (schema == INT && !node.isInt()) {
            problems.add(path + " must be an integer");
        } else if (schema == BOOL && !node.isBoolean()) {
            problems.add(path + " must be true or false");
        } else if (schema == QUANTITY
                && !(node.isTextual() && node.asText().matches("[0-9.]+([KMGTPE]i?|[mkMGTPE])?"))) {
            problems.add(path + " must be a quantity such as 20Gi");
        } else if (schema == STRING_MAP) {
            if (!node.isObject()) {
                problems.add(path + " must be a map");
            } else {
                node.fields().forEachRemaining(e -> {
                    if (!e.getValue().isTextual()) {
                        problems.add(path + "." + e.getKey() + " must be a string (quote numbers)");
                    }
                });
            }
        } else if (schema instanceof Class<?> type) {
            // A Kubernetes type inside the CRD: bound as strictly as a top-level object.
            KubernetesTypes.bindStrictly(node, type).forEach(p -> problems.add(path + ": " + p));
        }
    }
}
