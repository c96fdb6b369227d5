package dev.mailsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailsync.it.AppInstance;
import dev.mailsync.it.ItDatabase;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several replicas starting at once on an empty database, as a Kubernetes rollout does: two packaged
 * instances are started in the same moment, configured with the environment variables the rendered
 * k8s/base manifests give a pod (ConfigMap, the Secret example's keys with real values, the Deployment's
 * env). Both become ready, the migrations ran exactly once (Flyway serialises them with a PostgreSQL
 * advisory lock: the second instance waits, then finds the schema up to date or applies what is left), and
 * the settings the manifests pass are the ones the service uses. The instances reach the database through
 * a {@link FlywayLockGate}, so that they meet at the lock on every run, whatever the machine's load.
 */
class ConcurrentMigrationIT {
    private static final Duration READY = Duration.ofSeconds(180);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** How long the first instance at Flyway's lock waits for the other at most. */
    private static final Duration HOLD = Duration.ofSeconds(120);

    private final List<Process> processes = new ArrayList<>();
    private ItDatabase database;
    private FlywayLockGate gate;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (gate != null) {
            gate.close();
            gate = null;
        }
        if (database != null) {
            database.close();
            database = null;
        }
    }

    @Test
    void two_replicas_started_together_on_an_empty_database_migrate_it_once_and_both_become_ready() throws Exception {
        List<JsonNode> base = Kustomize.render("base");
        database = ItDatabase.fromEnvironment();
        assertThat(database.isPrivate())
                .as("needs an empty database of its own")
                .isTrue();
        Map<String, String> env = podEnvironment(base);
        // Two JVMs started together do not always reach Flyway together (on a loaded machine one may start
        // seconds later and find the schema migrated). The gate makes the meeting certain: whichever asks
        // for Flyway's lock first is held, lock taken, until the other has asked for it too.
        gate = new FlywayLockGate(database.url(), 2, HOLD);

        int[] ports = {freePort(), freePort()};
        Path[] logs = {Path.of("target", "it-migrate-a.log"), Path.of("target", "it-migrate-b.log")};
        for (int i = 0; i < 2; i++) {
            Map<String, String> own = new HashMap<>(env);
            own.put("QUARKUS_DATASOURCE_JDBC_URL", gate.url(i, database.url()));
            processes.add(launch(own, ports[i], logs[i]));
        }
        for (int i = 0; i < 2; i++) {
            awaitReady(processes.get(i), ports[i], logs[i]);
        }
        assertThat(gate.contended())
                .as("one instance asked for Flyway's lock while the other held it (held: instance %d)", gate.held())
                .isTrue();

        List<String> migrations;
        try (Stream<Path> files = Files.list(Path.of("src", "main", "resources", "db", "migration"))) {
            migrations = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.matches("V\\d+__.*\\.sql"))
                    .toList();
        }
        try (Connection c = database.connect();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT version, count(*), bool_and(success) FROM flyway_schema_history"
                        + " WHERE version IS NOT NULL GROUP BY version")) {
            int versions = 0;
            while (r.next()) {
                versions++;
                assertThat(r.getInt(2))
                        .as("runs of migration %s", r.getString(1))
                        .isEqualTo(1);
                assertThat(r.getBoolean(3))
                        .as("migration %s succeeded", r.getString(1))
                        .isTrue();
            }
            assertThat(versions).isEqualTo(migrations.size());
        }
        List<String> texts = List.of(Files.readString(logs[0]), Files.readString(logs[1]));
        // Flyway takes its lock per migration (a transaction-level advisory lock on PostgreSQL), so the
        // migrations may be split between the two: each is applied once (above), together they applied all
        // of them, and one that applied none found the schema up to date.
        List<String> applied =
                texts.stream().filter(l -> l.contains("Successfully applied")).toList();
        List<String> upToDate = texts.stream()
                .filter(l -> l.contains("is up to date. No migration necessary"))
                .toList();
        assertThat(applied).as("instances that applied migrations").isNotEmpty();
        assertThat(applied.stream()
                        .mapToInt(ConcurrentMigrationIT::appliedCount)
                        .sum())
                .as("migrations applied by the two instances together")
                .isEqualTo(migrations.size());
        assertThat(applied.size() + upToDate.size())
                .as("instances that applied migrations or found the schema up to date")
                .isEqualTo(2);

        // The manifests' issuer, JWT key location and database settings are the ones in use.
        String token = Jwt.issuer(env.get("MP_JWT_VERIFY_ISSUER"))
                .subject("ops-it")
                .groups(Set.of("user"))
                .sign(KeyUtils.readPrivateKey("test-jwt/jwt-test-private.pem"));
        for (int port : ports) {
            HttpResponse<String> accounts = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/accounts"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(accounts.statusCode()).as(accounts.body()).isEqualTo(200);
        }
    }

    private static final java.util.regex.Pattern APPLIED =
            java.util.regex.Pattern.compile("Successfully applied (\\d+) migrations?");

    /** N of the "Successfully applied N migration(s)" line in an instance's log. */
    private static int appliedCount(String log) {
        java.util.regex.Matcher m = APPLIED.matcher(log);
        if (!m.find()) {
            throw new AssertionError("no 'Successfully applied N migrations' line in the log");
        }
        return Integer.parseInt(m.group(1));
    }

    @Test
    void the_container_image_copies_what_the_build_produces() {
        Path app = AppInstance.runnerJar().getParent();
        for (String copy : ContainerImageTest.stages().get(1).all("COPY")) {
            String source = copy.split("\\s+")[1];
            if (source.startsWith("/build/target/quarkus-app/")) {
                Path built = app.resolve(source.substring("/build/target/quarkus-app/".length()));
                assertThat(built).as("the Dockerfile copies %s", source).exists();
            }
        }
    }

    /**
     * What a pod of the rendered Deployment gets as environment: the ConfigMap, the credentials-key
     * Secret (example keys, real values), the Deployment's own env, with this test's database and key.
     */
    private Map<String, String> podEnvironment(List<JsonNode> objects) {
        Map<String, String> env = new HashMap<>();
        KubernetesManifestsTest.only(objects, "ConfigMap")
                .get("data")
                .fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> secretValues = Map.of(
                "MAILSYNC_CREDENTIALS_ACTIVE_KEY_ID", "k1",
                "MAILSYNC_CREDENTIALS_KEYS_K1", Base64.getEncoder().encodeToString(key),
                "QUARKUS_DATASOURCE_USERNAME", database.username(),
                "QUARKUS_DATASOURCE_PASSWORD", database.password(),
                "MAILSYNC_JWT_PUBLIC_KEY_LOCATION",
                        Path.of("src", "test", "resources", "test-jwt", "jwt-test-public.pem")
                                .toAbsolutePath()
                                .toString());
        for (String name : KubernetesManifestsTest.environmentNames(objects)) {
            if (!env.containsKey(name)) {
                assertThat(secretValues).as("a test value for %s", name).containsKey(name);
                env.put(name, secretValues.get(name));
            }
        }
        env.put("QUARKUS_DATASOURCE_JDBC_URL", database.url());
        // Jobs are not what this test is about; the schedules would only add noise to the logs.
        env.put("MAILSYNC_JOBS_ENABLED", "false");
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        return env;
    }

    private static Process launch(Map<String, String> env, int port, Path log) throws IOException {
        Path jar = AppInstance.runnerJar();
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx384m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        return builder.start();
    }

    private static void awaitReady(Process process, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + READY.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("instance on port " + port + " exited with " + process.exitValue() + "\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("instance on port " + port + " not ready after " + READY + "\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            Thread.sleep(250);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
