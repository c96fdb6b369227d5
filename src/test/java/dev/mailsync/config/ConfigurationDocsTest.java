package dev.mailsync.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is true to the code, both ways: every property of {@link MailsyncConfig} (found by
 * reflection and named as SmallRye Config names it) and every {@code ${mailsync.…:default}} expression of
 * the main sources has a row there, with its environment variable and default; every {@code mailsync.*} row
 * there is a property the service reads. A row is a table line whose first cell is one backticked property
 * name; a map key is written {@code "<id>"} in the doc and {@code *} here.
 */
class ConfigurationDocsTest {
    private static final Path DOC = Path.of("docs/configuration.md");
    private static final Set<String> NO_DEFAULT = Set.of("—", "none");
    private static final Pattern ROW =
            Pattern.compile("^\\|\\s*`(mailsync\\.[a-z0-9.\"<>-]+)`\\s*\\|([^|]*)\\|([^|]*)\\|");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{(mailsync\\.[a-z0-9.-]+)(?::([^}]*))?}");

    @Test
    void every_property_of_the_code_is_documented() throws IOException {
        Set<String> missing = new TreeSet<>(codeProperties().keySet());
        missing.removeAll(documented().keySet());
        assertThat(missing)
                .as("properties the service reads that %s has no row for", DOC)
                .isEmpty();
    }

    @Test
    void every_documented_property_is_read_by_the_code() throws IOException {
        Set<String> unknown = new TreeSet<>(documented().keySet());
        unknown.removeAll(codeProperties().keySet());
        assertThat(unknown)
                .as("rows of %s for properties the service does not read", DOC)
                .isEmpty();
    }

    @Test
    void every_documented_default_and_environment_variable_is_the_one_of_the_code() throws IOException {
        Map<String, String> code = codeProperties();
        List<String> wrong = new ArrayList<>();
        for (Row row : documented().values()) {
            if (!code.containsKey(row.property())) {
                continue; // reported by every_documented_property_is_read_by_the_code
            }
            String expected = code.get(row.property()) == null ? "—" : "`" + code.get(row.property()) + "`";
            boolean none = expected.equals("—") && NO_DEFAULT.contains(row.defaultValue());
            if (!none && !row.defaultValue().equals(expected)) {
                wrong.add(row.name() + ": default " + row.defaultValue() + ", in the code " + expected);
            }
            String env = "`" + environmentVariable(row.name()) + "`";
            if (!row.env().equals(env)) {
                wrong.add(row.name() + ": environment variable " + row.env() + ", should be " + env);
            }
        }
        assertThat(wrong).as("rows of %s that disagree with the code", DOC).isEmpty();
    }

    /** Every kind of name this test derives: renamed, optional, a map of groups, a group in its parent's place. */
    interface Sample {
        @WithName("renamed")
        Optional<String> original();

        Map<String, Server> servers();

        @WithParentName
        Server shared();

        interface Server {
            @WithDefault("993")
            int imapPort();
        }
    }

    @Test
    void names_are_derived_as_smallrye_config_derives_them() {
        Map<String, String> names = new TreeMap<>();
        collect(Sample.class, "x", names);
        assertThat(names).containsOnlyKeys("x.renamed", "x.servers.*.imap-port", "x.imap-port");
        assertThat(names).containsEntry("x.imap-port", "993").containsEntry("x.renamed", null);
        assertThat(kebab("pop3Port")).isEqualTo("pop3-port");
    }

    /** Property name (a map key as {@code *}) to its default, null for none: the mapping, then the expressions. */
    private static Map<String, String> codeProperties() throws IOException {
        Map<String, String> properties = new TreeMap<>();
        collect(MailsyncConfig.class, "mailsync", properties);
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
        }
        sources.add(Path.of("src/main/resources/application.properties"));
        for (Path source : sources) {
            Matcher m = EXPRESSION.matcher(Files.readString(source));
            while (m.find()) {
                String name = m.group(1);
                if (!properties.containsKey(name)) {
                    properties.put(name, m.group(2));
                } else if (m.group(2) != null) {
                    assertThat(m.group(2))
                            .as("default of %s in %s", name, source)
                            .isEqualTo(properties.get(name));
                }
            }
        }
        return properties;
    }

    /** Walks a mapping interface: groups (nested interfaces) recursively, {@code Optional} and maps unwrapped. */
    private static void collect(Class<?> group, String prefix, Map<String, String> out) {
        for (Method method : group.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            WithName withName = method.getAnnotation(WithName.class);
            String segment = withName != null ? withName.value() : kebab(method.getName());
            String name = method.isAnnotationPresent(WithParentName.class) ? prefix : prefix + "." + segment;
            Type type = method.getGenericReturnType();
            if (raw(type) == Optional.class) {
                type = ((ParameterizedType) type).getActualTypeArguments()[0];
            }
            if (raw(type) == Map.class) {
                name = name + ".*";
                type = ((ParameterizedType) type).getActualTypeArguments()[1];
            }
            if (raw(type).isInterface() && !raw(type).getName().startsWith("java.")) {
                collect(raw(type), name, out);
            } else {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                out.put(name, withDefault == null ? null : withDefault.value());
            }
        }
    }

    private static Class<?> raw(Type type) {
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    /** camelCase to kebab-case, as SmallRye Config's default naming strategy does: maxPage is max-page. */
    private static String kebab(String camel) {
        String dashed = camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replaceAll("([A-Z])([A-Z][a-z])", "$1-$2");
        return dashed.toLowerCase(Locale.ROOT);
    }

    /** Upper case, every other character '_' (a map key's quotes dropped, its placeholder kept). */
    private static String environmentVariable(String property) {
        return property.replace("\"", "").toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9<>]", "_");
    }

    /** A {@code mailsync.*} row of the doc: the name as written, the property as derived, two more cells. */
    private record Row(String name, String property, String env, String defaultValue) {}

    private static Map<String, Row> documented() throws IOException {
        Map<String, Row> rows = new TreeMap<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                String property = m.group(1).replaceAll("\\.\"[^\"]*\"", ".*");
                Row row = new Row(
                        m.group(1), property, m.group(2).trim(), m.group(3).trim());
                assertThat(rows.put(property, row))
                        .as("%s has two rows in %s", property, DOC)
                        .isNull();
            }
        }
        return rows;
    }
}
