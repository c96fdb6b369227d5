package dev.mailsync.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Renders the {@code k8s/} kustomizations with {@code kubectl kustomize} (offline, no cluster) and reads
 * YAML documents. {@code kubectl} is taken from {@code MAILSYNC_KUBECTL} or the PATH; when it is missing
 * the calling test is skipped, unless {@code MAILSYNC_REQUIRE_KUBECTL=true} (CI) makes that a failure.
 */
final class Kustomize {
    static final String REQUIRE_ENV = "MAILSYNC_REQUIRE_KUBECTL";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Path K8S = Path.of("k8s");

    private Kustomize() {}

    /** The objects {@code kubectl kustomize k8s/<dir>} renders, one JSON tree per object. */
    static List<JsonNode> render(String dir) {
        String kubectl = kubectl();
        try {
            Process p = new ProcessBuilder(
                            kubectl, "kustomize", K8S.resolve(dir).toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                // Run it again with stderr kept, for the message.
                Process again = new ProcessBuilder(
                                kubectl, "kustomize", K8S.resolve(dir).toString())
                        .redirectErrorStream(true)
                        .start();
                String all = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                again.waitFor(60, TimeUnit.SECONDS);
                throw new AssertionError("kubectl kustomize " + dir + " failed (" + p.exitValue() + "):\n" + all);
            }
            return documents(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Every non-empty YAML document of a stream. */
    static List<JsonNode> documents(String yaml) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
                        docs.add(doc);
                    }
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> documents(Path file) {
        try {
            return documents(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kubectl() {
        String configured = System.getenv("MAILSYNC_KUBECTL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "kubectl");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = "kubectl is not installed (Debian: apt-get install kubernetes-client, or kubectl)";
        if ("true".equalsIgnoreCase(System.getenv(REQUIRE_ENV))) {
            Assertions.fail(message + "; " + REQUIRE_ENV + "=true, so the manifest tests may not be skipped");
        }
        Assumptions.abort("Kubernetes manifest tests skipped: " + message);
        return null;
    }
}
