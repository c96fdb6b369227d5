package dev.mailsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code k8s/} kustomizations, rendered by {@code kubectl kustomize}: every object is a valid
 * Kubernetes object (unknown fields refused), and what the Deployment says about the service — port,
 * settings, secrets, shutdown time — matches the service's real configuration. That the probe paths and
 * the metrics in the alert rules exist in the running service is {@link ManifestsAgainstServiceTest}.
 */
class KubernetesManifestsTest {
    private static final String JOB_SAFE_STOP_EXTRA = "5s"; // JobWorkers.stop waits this long after the grace
    private static final Path SECRET_EXAMPLE = Kustomize.K8S.resolve("base").resolve("secret.example.yaml");

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void every_rendered_object_is_a_valid_kubernetes_object_without_unknown_fields(String dir) {
        List<JsonNode> objects = Kustomize.render(dir);
        assertThat(objects).isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (JsonNode object : objects) {
            problems.addAll(
                    KubernetesTypes.typeOf(object).equals("postgresql.cnpg.io/v1/Cluster")
                            ? CnpgClusterSchema.problems(object)
                            : KubernetesTypes.problems(object));
        }
        assertThat(problems).as(dir).isEmpty();
    }

    @Test
    void the_secret_example_is_valid_and_holds_placeholders_only() {
        List<JsonNode> secrets = Kustomize.documents(SECRET_EXAMPLE);
        assertThat(secrets)
                .extracting(s -> s.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("mailsync-credentials-key", "mailsync-jwt", "mailsync-db");
        for (JsonNode secret : secrets) {
            assertThat(KubernetesTypes.problems(secret)).isEmpty();
            assertThat(secret.has("data"))
                    .as("base64 'data' would hide what is in it")
                    .isFalse();
            secret.get("stringData").fields().forEachRemaining(e -> {
                if (!e.getKey().equals("MAILSYNC_CREDENTIALS_ACTIVE_KEY_ID")) {
                    assertThat(e.getValue().asText()).as(e.getKey()).contains("REPLACE");
                }
            });
        }
        JsonNode keys = secret(secrets, "mailsync-credentials-key").get("stringData");
        String active = keys.get("MAILSYNC_CREDENTIALS_ACTIVE_KEY_ID").asText();
        // The key id arrives in lower case from the variable name (see ServiceConfig.propertyFor).
        assertThat(ServiceConfig.propertyFor("MAILSYNC_CREDENTIALS_KEYS_" + active.toUpperCase()))
                .contains("mailsync.credentials.keys." + active);
        assertThat(keys.has("MAILSYNC_CREDENTIALS_KEYS_" + active.toUpperCase()))
                .isTrue();
    }

    @Test
    void the_strict_check_refuses_unknown_fields_misplaced_fields_and_wrong_types() {
        JsonNode deployment = only(Kustomize.render("base"), "Deployment");
        assertThat(KubernetesTypes.problems(deployment)).isEmpty();

        ObjectNode typo = deployment.deepCopy();
        ((ObjectNode) typo.at("/spec/template/spec/containers/0")).putObject("livenessProbes");
        assertThat(KubernetesTypes.problems(typo)).singleElement().asString().contains("livenessProbes");

        ObjectNode misplaced = deployment.deepCopy();
        ((ObjectNode) misplaced.get("spec")).put("terminationGracePeriodSeconds", 45);
        assertThat(KubernetesTypes.problems(misplaced))
                .singleElement()
                .asString()
                .contains("terminationGracePeriodSeconds");

        ObjectNode wrongType = deployment.deepCopy();
        ((ObjectNode) wrongType.get("spec")).put("replicas", "two");
        assertThat(KubernetesTypes.problems(wrongType)).isNotEmpty();

        ObjectNode quotedNumber = deployment.deepCopy();
        ((ObjectNode) quotedNumber.get("spec")).put("replicas", "2");
        assertThat(KubernetesTypes.problems(quotedNumber)).isNotEmpty();

        JsonNode rule = only(Kustomize.render("overlays/prod"), "PrometheusRule");
        ObjectNode badRule = rule.deepCopy();
        ((ObjectNode) badRule.at("/spec/groups/0/rules/0")).put("severity", "critical");
        assertThat(KubernetesTypes.problems(badRule)).singleElement().asString().contains("severity");

        JsonNode cluster = only(Kustomize.render("overlays/prod"), "Cluster");
        ObjectNode badCluster = cluster.deepCopy();
        ((ObjectNode) badCluster.get("spec")).put("instance", 3);
        assertThat(CnpgClusterSchema.problems(badCluster))
                .singleElement()
                .asString()
                .contains("spec.instance");
        ObjectNode badMeta = cluster.deepCopy();
        ((ObjectNode) badMeta.get("metadata")).put("labelz", "x");
        assertThat(CnpgClusterSchema.problems(badMeta))
                .singleElement()
                .asString()
                .contains("labelz");

        ObjectNode unknownKind = deployment.deepCopy();
        unknownKind.put("kind", "Deploymnet");
        assertThat(KubernetesTypes.problems(unknownKind))
                .singleElement()
                .asString()
                .contains("no API type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void the_container_port_is_the_service_http_port_and_probes_use_it(String dir) {
        JsonNode container = mailsyncContainer(Kustomize.render(dir));
        int httpPort =
                Integer.parseInt(ServiceConfig.prodValue("quarkus.http.port").orElse("8080"));
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(httpPort);
        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText())
                    .as(probe)
                    .isEqualTo("http");
        }
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void every_environment_variable_is_a_setting_the_service_reads(String dir) {
        List<JsonNode> objects = Kustomize.render(dir);
        Map<String, String> unknown = new LinkedHashMap<>();
        for (String name : environmentNames(objects)) {
            if (ServiceConfig.propertyFor(name).isEmpty()) {
                unknown.put(name, "no such setting");
            }
        }
        assertThat(unknown)
                .as("known names: %s", ServiceConfig.knownEnvironmentNames().keySet())
                .isEmpty();
    }

    @Test
    void a_misspelt_environment_variable_is_noticed() {
        assertThat(ServiceConfig.propertyFor("MAILSYNC_JOBS_WORKERS")).contains("mailsync.jobs.workers");
        assertThat(ServiceConfig.propertyFor("MAILSYNC_JOBS_WORKER")).isEmpty();
        assertThat(ServiceConfig.propertyFor("MAILSYNC_CREDENTIALS_KEYS_K2")).contains("mailsync.credentials.keys.k2");
        assertThat(ServiceConfig.propertyFor("QUARKUS_DATASOURCE_JDBC_URL")).contains("quarkus.datasource.jdbc.url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void every_secret_the_deployment_reads_is_in_the_example_or_made_by_cloudnativepg(String dir) {
        List<JsonNode> objects = Kustomize.render(dir);
        Map<String, Set<String>> available = new LinkedHashMap<>();
        for (JsonNode secret : Kustomize.documents(SECRET_EXAMPLE)) {
            Set<String> keys = new HashSet<>();
            secret.get("stringData").fieldNames().forEachRemaining(keys::add);
            available.put(secret.at("/metadata/name").asText(), keys);
        }
        for (JsonNode cluster : ofKind(objects, "Cluster")) {
            // CloudNativePG creates <cluster>-app (basic-auth: username, password) for the owner of initdb.
            available.put(cluster.at("/metadata/name").asText() + "-app", Set.of("username", "password"));
        }
        assertThat(ofKind(objects, "Secret"))
                .as("real secrets never come from the repository")
                .isEmpty();
        JsonNode pod = only(objects, "Deployment").at("/spec/template/spec");
        JsonNode container = mailsyncContainer(objects);
        for (JsonNode env : container.path("env")) {
            JsonNode ref = env.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                assertThat(available)
                        .as(env.get("name").asText())
                        .containsKey(ref.get("name").asText());
                assertThat(available.get(ref.get("name").asText()))
                        .contains(ref.get("key").asText());
            }
        }
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("secretRef")) {
                assertThat(available).containsKey(from.at("/secretRef/name").asText());
            }
        }
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.has("secret")) {
                String name = volume.at("/secret/secretName").asText();
                assertThat(available).containsKey(name);
                volume.at("/secret/items")
                        .forEach(i -> assertThat(available.get(name))
                                .contains(i.get("key").asText()));
            }
        }
        // The JWT key location points into the mounted Secret.
        String location = envValue(container, "MAILSYNC_JWT_PUBLIC_KEY_LOCATION");
        JsonNode jwtMount = stream(container.path("volumeMounts"))
                .filter(m -> m.get("name").asText().equals("jwt"))
                .findFirst()
                .orElseThrow();
        JsonNode jwtVolume = stream(pod.path("volumes"))
                .filter(v -> v.get("name").asText().equals("jwt"))
                .findFirst()
                .orElseThrow();
        assertThat(location)
                .isEqualTo(jwtMount.get("mountPath").asText() + "/"
                        + jwtVolume.at("/secret/items/0/path").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void termination_grace_outlasts_the_safe_stop_of_running_jobs(String dir) {
        List<JsonNode> objects = Kustomize.render(dir);
        String grace = configMapValue(objects, "MAILSYNC_JOBS_SHUTDOWN_GRACE");
        if (grace == null) {
            grace = ServiceConfig.mailsyncProperties().get("mailsync.jobs.shutdown-grace");
        }
        Duration needed = ServiceConfig.duration(grace).plus(ServiceConfig.duration(JOB_SAFE_STOP_EXTRA));
        long period = only(objects, "Deployment")
                .at("/spec/template/spec/terminationGracePeriodSeconds")
                .asLong();
        assertThat(Duration.ofSeconds(period))
                .as("needs %s plus margin", needed)
                .isGreaterThan(needed.plusSeconds(10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void pods_run_hardened(String dir) {
        List<JsonNode> objects = Kustomize.render(dir);
        for (JsonNode workload : concat(ofKind(objects, "Deployment"), ofKind(objects, "StatefulSet"))) {
            JsonNode pod = workload.at("/spec/template/spec");
            String what = KubernetesTypes.nameOf(workload);
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean())
                    .as(what)
                    .isTrue();
            assertThat(pod.at("/securityContext/seccompProfile/type").asText())
                    .as(what)
                    .isEqualTo("RuntimeDefault");
            assertThat(pod.at("/automountServiceAccountToken").asBoolean(true))
                    .as(what)
                    .isFalse();
            for (JsonNode c : pod.get("containers")) {
                assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
                        .as(what)
                        .isFalse();
                assertThat(c.at("/securityContext/capabilities/drop"))
                        .as(what)
                        .extracting(JsonNode::asText)
                        .containsExactly("ALL");
                assertThat(c.at("/resources/requests").isObject()).as(what).isTrue();
                assertThat(c.at("/resources/limits/memory").isTextual())
                        .as(what)
                        .isTrue();
            }
        }
        JsonNode container = mailsyncContainer(objects);
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        JsonNode pod = only(objects, "Deployment").at("/spec/template/spec");
        String tmpVolume = stream(container.get("volumeMounts"))
                .filter(m -> m.get("mountPath").asText().equals("/tmp"))
                .map(m -> m.get("name").asText())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no writable /tmp"));
        assertThat(stream(pod.get("volumes")).filter(v -> v.get("name").asText().equals(tmpVolume)))
                .singleElement()
                .matches(v -> v.has("emptyDir"));
        assertThat(pod.get("topologySpreadConstraints"))
                .extracting(t -> t.get("topologyKey").asText())
                .contains("topology.kubernetes.io/zone", "kubernetes.io/hostname");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void selectors_and_references_point_at_the_mailsync_pods(String dir) {
        List<JsonNode> objects = Kustomize.render(dir);
        JsonNode deployment = only(objects, "Deployment");
        JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
        assertThat(selects(deployment.at("/spec/selector/matchLabels"), podLabels))
                .isTrue();
        JsonNode service = service(objects, "mailsync");
        assertThat(selects(service.at("/spec/selector"), podLabels)).isTrue();
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(selects(only(objects, "PodDisruptionBudget").at("/spec/selector/matchLabels"), podLabels))
                .isTrue();
        assertThat(selects(only(objects, "NetworkPolicy").at("/spec/podSelector/matchLabels"), podLabels))
                .isTrue();
        for (JsonNode spread : deployment.at("/spec/template/spec/topologySpreadConstraints")) {
            assertThat(selects(spread.at("/labelSelector/matchLabels"), podLabels))
                    .isTrue();
        }
        JsonNode target = only(objects, "HorizontalPodAutoscaler").at("/spec/scaleTargetRef");
        assertThat(target.get("kind").asText()).isEqualTo("Deployment");
        assertThat(target.get("name").asText())
                .isEqualTo(deployment.at("/metadata/name").asText());
        String configMap =
                mailsyncContainer(objects).at("/envFrom/0/configMapRef/name").asText();
        assertThat(ofKind(objects, "ConfigMap"))
                .extracting(c -> c.at("/metadata/name").asText())
                .contains(configMap);
        for (JsonNode monitor : ofKind(objects, "ServiceMonitor")) {
            assertThat(selects(monitor.at("/spec/selector/matchLabels"), service.at("/metadata/labels")))
                    .isTrue();
            assertThat(monitor.at("/spec/endpoints/0/port").asText())
                    .isEqualTo(service.at("/spec/ports/0/name").asText());
            assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void the_network_policy_lets_in_the_api_and_out_only_dns_postgresql_and_mail(String dir) {
        JsonNode policy = only(Kustomize.render(dir), "NetworkPolicy");
        assertThat(policy.at("/spec/policyTypes"))
                .extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(ports(policy.at("/spec/ingress"))).containsExactly("TCP/8080");
        assertThat(ports(policy.at("/spec/egress")))
                .containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/5432", "TCP/143", "TCP/993", "TCP/110", "TCP/995");
        for (JsonNode rule : policy.at("/spec/egress")) {
            assertThat(rule.has("ports"))
                    .as("an egress rule without ports opens every port")
                    .isTrue();
        }
        // The mail rule keeps the cloud metadata address and the private ranges out, like the SSRF guard.
        JsonNode mail = stream(policy.at("/spec/egress"))
                .filter(r -> ports(r).contains("TCP/993"))
                .findFirst()
                .orElseThrow();
        assertThat(mail.at("/to/0/ipBlock/except"))
                .extracting(JsonNode::asText)
                .contains("169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8");
    }

    @Test
    void prod_runs_a_replicated_postgresql_that_the_service_is_pointed_at() {
        List<JsonNode> objects = Kustomize.render("overlays/prod");
        JsonNode cluster = only(objects, "Cluster");
        String name = cluster.at("/metadata/name").asText();
        assertThat(cluster.at("/spec/instances").asInt()).isGreaterThanOrEqualTo(3);
        URI jdbc = URI.create(
                configMapValue(objects, "QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        assertThat(jdbc.getHost()).isEqualTo(name + "-rw");
        assertThat(jdbc.getPath())
                .isEqualTo("/" + cluster.at("/spec/bootstrap/initdb/database").asText());
        assertThat(mailsyncContainer(objects)
                        .at("/env/0/valueFrom/secretKeyRef/name")
                        .asText())
                .isEqualTo(name + "-app");
        assertThat(only(objects, "Deployment").at("/spec/replicas").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(only(objects, "HorizontalPodAutoscaler")
                        .at("/spec/minReplicas")
                        .asInt())
                .isGreaterThanOrEqualTo(3);
        assertThat(only(objects, "PodDisruptionBudget").at("/spec/minAvailable").asInt())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void prod_alerts_on_failing_jobs_a_growing_queue_lease_takeovers_and_mail_login_failures() {
        JsonNode rule = only(Kustomize.render("overlays/prod"), "PrometheusRule");
        List<String> alerts = stream(rule.at("/spec/groups"))
                .flatMap(g -> stream(g.get("rules")))
                .map(r -> r.get("alert").asText())
                .toList();
        assertThat(alerts)
                .contains(
                        "MailsyncJobsFailing",
                        "MailsyncQueueGrowing",
                        "MailsyncLeaseTakeovers",
                        "MailsyncMailLoginFailures");
    }

    @Test
    void dev_points_the_service_at_its_own_postgresql() {
        List<JsonNode> objects = Kustomize.render("overlays/dev");
        URI jdbc = URI.create(
                configMapValue(objects, "QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        JsonNode db = service(objects, jdbc.getHost());
        assertThat(db.at("/spec/ports/0/port").asInt()).isEqualTo(jdbc.getPort());
        JsonNode statefulSet = only(objects, "StatefulSet");
        assertThat(selects(db.at("/spec/selector"), statefulSet.at("/spec/template/metadata/labels")))
                .isTrue();
        assertThat(envValue(statefulSet.at("/spec/template/spec/containers/0"), "POSTGRES_DB"))
                .isEqualTo(jdbc.getPath().substring(1));
    }

    // ---------------------------------------------------------------------------------------------

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .toList();
    }

    static JsonNode only(List<JsonNode> objects, String kind) {
        List<JsonNode> found = ofKind(objects, kind);
        assertThat(found).as("objects of kind %s", kind).hasSize(1);
        return found.get(0);
    }

    static JsonNode mailsyncContainer(List<JsonNode> objects) {
        return stream(only(objects, "Deployment").at("/spec/template/spec/containers"))
                .filter(c -> c.get("name").asText().equals("mailsync"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container named mailsync"));
    }

    /** Every environment variable name the mailsync container gets, through env and envFrom. */
    static Set<String> environmentNames(List<JsonNode> objects) {
        JsonNode container = mailsyncContainer(objects);
        Set<String> names = new java.util.TreeSet<>();
        container.path("env").forEach(e -> names.add(e.get("name").asText()));
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                String name = from.at("/configMapRef/name").asText();
                JsonNode map = ofKind(objects, "ConfigMap").stream()
                        .filter(c -> c.at("/metadata/name").asText().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no ConfigMap " + name));
                map.get("data").fieldNames().forEachRemaining(names::add);
            } else if (from.has("secretRef")) {
                secret(
                                Kustomize.documents(SECRET_EXAMPLE),
                                from.at("/secretRef/name").asText())
                        .get("stringData")
                        .fieldNames()
                        .forEachRemaining(names::add);
            }
        }
        return names;
    }

    static String configMapValue(List<JsonNode> objects, String key) {
        JsonNode value = only(objects, "ConfigMap").at("/data/" + key);
        return value.isMissingNode() ? null : value.asText();
    }

    private static JsonNode secret(List<JsonNode> secrets, String name) {
        return secrets.stream()
                .filter(s -> s.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Secret " + name + " in " + SECRET_EXAMPLE));
    }

    private static JsonNode service(List<JsonNode> objects, String name) {
        return ofKind(objects, "Service").stream()
                .filter(s -> s.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Service " + name));
    }

    private static String envValue(JsonNode container, String name) {
        return stream(container.path("env"))
                .filter(e -> e.get("name").asText().equals(name))
                .map(e -> e.get("value").asText())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    /** Whether a label selector (matchLabels) selects objects with these labels. */
    private static boolean selects(JsonNode selector, JsonNode labels) {
        if (selector.isMissingNode() || selector.isEmpty()) {
            return false;
        }
        return stream(selector.properties())
                .allMatch(e ->
                        e.getValue().asText().equals(labels.path(e.getKey()).asText(null)));
    }

    private static List<String> ports(JsonNode rules) {
        List<String> out = new ArrayList<>();
        for (JsonNode rule : rules.isArray() ? rules : List.of(rules)) {
            rule.path("ports")
                    .forEach(p -> out.add(p.path("protocol").asText("TCP") + "/"
                            + p.get("port").asText()));
        }
        return out;
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        List<JsonNode> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static <T> java.util.stream.Stream<T> stream(Iterable<T> items) {
        return StreamSupport.stream(items.spliterator(), false);
    }
}
