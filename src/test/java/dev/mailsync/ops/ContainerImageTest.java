package dev.mailsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/Dockerfile read as Docker would (no Docker engine runs here, so the image is not built by the
 * tests): a build stage with the Maven wrapper, a JRE runtime stage with the fast-jar layers, a fixed
 * non-root uid that the Kubernetes manifests use too, a health check, container-aware JVM flags, and a
 * build context that holds what the build needs.
 */
class ContainerImageTest {
    static final Path DOCKERFILE = Path.of("deploy", "Dockerfile");
    private static final Path IGNORE = Path.of("deploy", "Dockerfile.dockerignore");

    record Instruction(String keyword, String arguments) {}

    record Stage(String from, String name, List<Instruction> instructions) {
        List<String> all(String keyword) {
            return instructions.stream()
                    .filter(i -> i.keyword().equals(keyword))
                    .map(Instruction::arguments)
                    .toList();
        }
    }

    @Test
    void the_image_is_built_in_a_maven_stage_and_runs_on_a_jre_of_at_least_24() {
        List<Stage> stages = stages();
        assertThat(stages).hasSize(2);
        Stage build = stages.get(0);
        Stage runtime = stages.get(1);
        assertThat(build.name()).isEqualTo("build");
        assertThat(build.all("RUN"))
                .anyMatch(r -> r.contains("./mvnw") && r.contains("package") && r.contains("-DskipTests"));

        Matcher jre = Pattern.compile("eclipse-temurin:(\\d+)-jre").matcher(resolve(runtime.from()));
        assertThat(jre.matches())
                .as("runtime image %s", resolve(runtime.from()))
                .isTrue();
        // JDK 24+ at run time: Angus Mail is synchronized and pinned virtual threads before 24.
        assertThat(Integer.parseInt(jre.group(1))).isGreaterThanOrEqualTo(24);
        assertThat(runtime.all("RUN"))
                .as("no build tools in the final image")
                .noneMatch(r -> r.matches("(?s).*\\b(apt-get|apt|apk|dnf|yum|mvn|mvnw|javac)\\b.*"));
    }

    @Test
    void the_runtime_stage_copies_the_fast_jar_in_layers_libraries_first() {
        Stage runtime = stages().get(1);
        List<String> copied = new ArrayList<>();
        for (String copy : runtime.all("COPY")) {
            assertThat(copy)
                    .as("the runtime stage takes files from the build stage only")
                    .startsWith("--from=build ");
            copied.add(copy.split("\\s+")[1]);
        }
        assertThat(copied)
                .containsSubsequence(
                        "/build/target/quarkus-app/lib/",
                        "/build/target/quarkus-app/quarkus/",
                        "/build/target/quarkus-app/quarkus-run.jar",
                        "/build/target/quarkus-app/app/");
        assertThat(runtime.all("ENTRYPOINT").get(0)).contains("quarkus-run.jar");
    }

    @Test
    void the_service_runs_as_the_fixed_non_root_uid_the_kubernetes_manifests_expect() throws IOException {
        Stage runtime = stages().get(1);
        String user = runtime.all("USER").get(runtime.all("USER").size() - 1);
        assertThat(user).matches("\\d+:\\d+");
        int uid = Integer.parseInt(user.split(":")[0]);
        assertThat(uid).isNotZero();
        assertThat(runtime.all("RUN")).anyMatch(r -> r.contains("useradd") && r.contains("--uid " + uid));
        JsonNode deployment = Kustomize.documents(Kustomize.K8S.resolve("base").resolve("deployment.yaml"))
                .get(0);
        assertThat(deployment
                        .at("/spec/template/spec/securityContext/runAsUser")
                        .asInt())
                .isEqualTo(uid);
        assertThat(deployment
                        .at("/spec/template/spec/securityContext/runAsGroup")
                        .asInt())
                .isEqualTo(Integer.parseInt(user.split(":")[1]));
    }

    @Test
    void it_exposes_the_service_port_checks_liveness_and_sizes_the_heap_from_the_container_limit() {
        Stage runtime = stages().get(1);
        String port = ServiceConfig.prodValue("quarkus.http.port").orElse("8080");
        assertThat(runtime.all("EXPOSE")).containsExactly(port);
        assertThat(runtime.all("HEALTHCHECK")).singleElement().asString().contains("HealthCheck");
        String env = String.join(" ", runtime.all("ENV"));
        assertThat(env).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError");
        assertThat(env).doesNotContain("-Xmx");
        try {
            assertThat(Files.readString(Path.of("deploy", "HealthCheck.java"))).contains("/q/health/live");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void the_build_context_lets_in_every_file_the_build_copies() throws IOException {
        List<String> ignore = Files.readAllLines(IGNORE).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(ignore.get(0)).as("everything is excluded unless listed").isEqualTo("**");
        for (String copy : stages().get(0).all("COPY")) {
            String[] parts = copy.split("\\s+");
            for (int i = 0; i < parts.length - 1; i++) {
                String source = parts[i];
                assertThat(ignore).as("context file %s", source).contains("!" + source);
                assertThat(Path.of(source)).exists();
            }
        }
    }

    /** The Dockerfile's stages, with line continuations joined and comments dropped. */
    static List<Stage> stages() {
        return stages(new LinkedHashMap<>());
    }

    /** The stages; the ARG defaults declared before the first FROM go into {@code globalArgs}. */
    static List<Stage> stages(Map<String, String> globalArgs) {
        String text;
        try {
            text = Files.readString(DOCKERFILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                current.append(line);
                lines.add(current.toString().strip());
                current.setLength(0);
            }
        }
        List<Stage> stages = new ArrayList<>();
        for (String line : lines) {
            String[] kw = line.split("\\s+", 2);
            Instruction instruction = new Instruction(kw[0].toUpperCase(), kw.length > 1 ? kw[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+(?i:as)\\s+");
                stages.add(new Stage(from[0], from.length > 1 ? from[1] : null, new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).instructions().add(instruction);
            } else if (instruction.keyword().equals("ARG")) {
                String[] kv = instruction.arguments().split("=", 2);
                if (kv.length == 2) {
                    globalArgs.put(kv[0], kv[1]);
                }
            }
        }
        return stages;
    }

    /** An image reference with the ARG defaults declared before the first FROM filled in. */
    private static String resolve(String image) {
        Map<String, String> args = new LinkedHashMap<>();
        stages(args);
        String out = image;
        for (var e : args.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", e.getValue());
        }
        return out;
    }
}
