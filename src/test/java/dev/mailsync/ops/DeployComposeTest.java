package dev.mailsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose.yaml read as Compose would (no Docker engine runs here): its services fit together and
 * every setting it gives the service is one the service reads. Its Dovecot configuration runs for real
 * in {@link DeployDovecotTest}; the image in {@link ContainerImageTest}.
 */
class DeployComposeTest {
    private static final Path DEPLOY = Path.of("deploy");
    private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{([A-Z_]+):\\?[^}]+}");

    private static JsonNode compose() {
        return Kustomize.documents(DEPLOY.resolve("compose.yaml")).get(0);
    }

    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new TreeMap<>();
        service.path("environment")
                .fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    @Test
    void the_stack_is_the_service_postgresql_and_dovecot_built_from_this_repository() {
        JsonNode services = compose().get("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("mailsync", "postgres", "dovecot");

        JsonNode build = services.at("/mailsync/build");
        Path context = DEPLOY.resolve(build.get("context").asText()).normalize();
        assertThat(context.toAbsolutePath()).isEqualTo(Path.of("").toAbsolutePath());
        assertThat(context.resolve(build.get("dockerfile").asText())).isEqualTo(ContainerImageTest.DOCKERFILE);

        Path dovecot = DEPLOY.resolve(services.at("/dovecot/build/context").asText());
        assertThat(dovecot.resolve("Dockerfile")).exists();
        for (String file : List.of("dovecot.conf", "mailsync-demo.conf", "users")) {
            assertThat(dovecot.resolve(file)).exists();
        }
        assertThat(services.at("/mailsync/depends_on/postgres/condition").asText())
                .isEqualTo("service_healthy");
        assertThat(services.at("/postgres/healthcheck/test").isArray()).isTrue();
    }

    @Test
    void the_dovecot_image_runs_the_configuration_that_includes_the_tested_file() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("dovecot").resolve("Dockerfile"));
        assertThat(dockerfile).contains("COPY dovecot.conf mailsync-demo.conf users /etc/dovecot/mailsync/");
        assertThat(dockerfile).contains("\"-c\", \"/etc/dovecot/mailsync/dovecot.conf\"");
        String conf = Files.readString(DEPLOY.resolve("dovecot").resolve("dovecot.conf"));
        assertThat(conf).contains("!include mailsync-demo.conf").contains("/etc/dovecot/mailsync/users");
        // The behaviour lives in the included file only: the container file has paths, ports, accounts.
        assertThat(conf).doesNotContain("protocols").doesNotContain("namespace").doesNotContain("mail_plugins");
        JsonNode ports = compose().at("/services/dovecot/ports");
        assertThat(ports)
                .extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("127.0.0.1:1143:143", "127.0.0.1:1110:110");
    }

    @Test
    void every_environment_variable_of_the_service_is_a_setting_it_reads() {
        Map<String, String> env = environment(compose().at("/services/mailsync"));
        assertThat(env).isNotEmpty();
        for (String name : env.keySet()) {
            assertThat(ServiceConfig.propertyFor(name)).as(name).isPresent();
        }
        // The key id of MAILSYNC_CREDENTIALS_KEYS_<ID> arrives in lower case; the active id must match it.
        String active = env.get("MAILSYNC_CREDENTIALS_ACTIVE_KEY_ID");
        assertThat(ServiceConfig.propertyFor("MAILSYNC_CREDENTIALS_KEYS_" + active.toUpperCase()))
                .contains("mailsync.credentials.keys." + active);
        assertThat(env).containsKey("MAILSYNC_CREDENTIALS_KEYS_" + active.toUpperCase());
    }

    @Test
    void the_service_reaches_postgresql_with_its_database_user_and_password() {
        JsonNode services = compose().get("services");
        Map<String, String> app = environment(services.get("mailsync"));
        Map<String, String> db = environment(services.get("postgres"));
        URI jdbc = URI.create(app.get("QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        assertThat(services.has(jdbc.getHost()))
                .as("host %s is a service", jdbc.getHost())
                .isTrue();
        assertThat(jdbc.getPort()).isEqualTo(5432);
        assertThat(jdbc.getPath()).isEqualTo("/" + db.get("POSTGRES_DB"));
        assertThat(app.get("QUARKUS_DATASOURCE_USERNAME")).isEqualTo(db.get("POSTGRES_USER"));
        assertThat(app.get("QUARKUS_DATASOURCE_PASSWORD")).isEqualTo(db.get("POSTGRES_PASSWORD"));
    }

    @Test
    void no_secret_is_written_in_the_file_and_the_jwt_key_is_a_mounted_secret() {
        JsonNode root = compose();
        for (JsonNode service : root.get("services")) {
            environment(service).forEach((name, value) -> {
                if (name.contains("PASSWORD") || name.contains("_KEYS_")) {
                    Matcher m = REQUIRED_VARIABLE.matcher(value);
                    assertThat(m.matches())
                            .as("%s must come from the environment (${VAR:?message})", name)
                            .isTrue();
                }
            });
        }
        Map<String, String> app = environment(root.at("/services/mailsync"));
        String secret = root.at("/services/mailsync/secrets/0").asText();
        assertThat(app.get("MAILSYNC_JWT_PUBLIC_KEY_LOCATION")).isEqualTo("/run/secrets/" + secret);
        String file = root.at("/secrets/" + secret + "/file").asText();
        assertThat(DEPLOY.resolve(file).normalize().startsWith(DEPLOY.resolve("local")))
                .as("%s is written by the setup step into deploy/local/", file)
                .isTrue();
        try {
            assertThat(Files.readAllLines(DEPLOY.resolve(".gitignore"))).contains("/local/", "/.env");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void the_service_listens_on_its_http_port_on_loopback_only_and_runs_locked_down() {
        JsonNode app = compose().at("/services/mailsync");
        String port = ServiceConfig.prodValue("quarkus.http.port").orElse("8080");
        assertThat(app.get("ports")).extracting(JsonNode::asText).containsExactly("127.0.0.1:8080:" + port);
        assertThat(app.get("read_only").asBoolean()).isTrue();
        assertThat(app.get("tmpfs")).extracting(JsonNode::asText).contains("/tmp");
        assertThat(app.get("cap_drop")).extracting(JsonNode::asText).containsExactly("ALL");
    }
}
