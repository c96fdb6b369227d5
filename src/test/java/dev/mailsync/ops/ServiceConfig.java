package dev.mailsync.ops;

import dev.mailsync.config.MailsyncConfig;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings the service really reads, to check the names the deployment files set: every key of the
 * {@link MailsyncConfig} mapping (found by reflection, with its default), every key of
 * application.properties, the environment variables application.properties reads directly, and the few
 * standard Quarkus keys the manifests use that application.properties leaves to the environment.
 */
final class ServiceConfig {
    static final Path APPLICATION_PROPERTIES = Path.of("src", "main", "resources", "application.properties");

    /** Standard Quarkus settings with no line in application.properties, set only per environment. */
    static final java.util.List<String> QUARKUS_KEYS_SET_BY_ENVIRONMENT = java.util.List.of(
            "quarkus.datasource.jdbc.url", "quarkus.datasource.username", "quarkus.datasource.password");

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::[^}]*)?}");

    private ServiceConfig() {}

    /** Property name (a trailing {@code .*} for a map) to its {@code @WithDefault}, or null. */
    static Map<String, String> mailsyncProperties() {
        Map<String, String> out = new TreeMap<>();
        collect(MailsyncConfig.class, "mailsync", out);
        return out;
    }

    private static void collect(Class<?> group, String prefix, Map<String, String> out) {
        for (Method m : group.getMethods()) {
            if (m.getParameterCount() != 0 || m.isDefault()) {
                continue;
            }
            String name = prefix + "." + kebab(m.getName());
            Class<?> type = m.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == MailsyncConfig.class) {
                collect(type, name, out);
            } else if (Map.class.isAssignableFrom(type)) {
                out.put(name + ".*", null);
            } else {
                WithDefault d = m.getAnnotation(WithDefault.class);
                out.put(name, d == null ? null : d.value());
            }
        }
    }

    static Properties applicationProperties() {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(APPLICATION_PROPERTIES)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The value the packaged service (prod profile) uses for a key of application.properties. */
    static Optional<String> prodValue(String key) {
        Properties p = applicationProperties();
        return Optional.ofNullable(p.getProperty("%prod." + key, p.getProperty(key)));
    }

    /** Environment variable name to the setting it sets, for every setting the service knows. */
    static Map<String, String> knownEnvironmentNames() {
        Map<String, String> byEnv = new TreeMap<>();
        mailsyncProperties().keySet().forEach(k -> byEnv.put(env(k), k));
        for (String key : applicationProperties().stringPropertyNames()) {
            String plain = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
            byEnv.put(env(plain), plain);
        }
        QUARKUS_KEYS_SET_BY_ENVIRONMENT.forEach(k -> byEnv.put(env(k), k));
        try {
            Matcher m = ENV_REFERENCE.matcher(Files.readString(APPLICATION_PROPERTIES));
            while (m.find()) {
                byEnv.put(m.group(1), "${" + m.group(1) + "} in application.properties");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byEnv;
    }

    /** The setting an environment variable sets, if the service knows one. */
    static Optional<String> propertyFor(String envName) {
        Map<String, String> known = knownEnvironmentNames();
        if (known.containsKey(envName)) {
            return Optional.of(known.get(envName));
        }
        // A map key: MAILSYNC_CREDENTIALS_KEYS_K1 sets mailsync.credentials.keys.k1 (SmallRye Config
        // reads the key in lower case).
        for (String property : known.values()) {
            if (property.endsWith(".*")) {
                String base = property.substring(0, property.length() - 2);
                String envBase = env(base) + "_";
                if (envName.startsWith(envBase)
                        && envName.substring(envBase.length()).matches("[A-Z0-9]+")) {
                    return Optional.of(
                            base + "." + envName.substring(envBase.length()).toLowerCase(Locale.ROOT));
                }
            }
        }
        return Optional.empty();
    }

    /** The environment variable name Quarkus maps to a property (upper case, other characters '_'). */
    static String env(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** A duration as SmallRye Config reads it: ISO-8601 or a number with ms, s, m, h or d. */
    static Duration duration(String value) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(value.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        return Duration.parse(value.trim());
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
