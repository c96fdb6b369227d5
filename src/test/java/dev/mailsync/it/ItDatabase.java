package dev.mailsync.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL the packaged instances share, from {@code QUARKUS_DATASOURCE_JDBC_URL} (+ {@code
 * _USERNAME}, {@code _PASSWORD}). When the role may create databases, a private database is created next
 * to the configured one (and dropped at the end), so other tests' queued jobs never reach these
 * instances and theirs never reach the others; otherwise the configured database itself is used.
 */
public final class ItDatabase implements AutoCloseable {
    public static final String URL_ENV = "QUARKUS_DATASOURCE_JDBC_URL";

    private final String configuredUrl;
    private final String url;
    private final String username;
    private final String password;
    private final String privateName;

    private ItDatabase(String configuredUrl, String url, String username, String password, String privateName) {
        this.configuredUrl = configuredUrl;
        this.url = url;
        this.username = username;
        this.password = password;
        this.privateName = privateName;
    }

    /** Skips the calling test class when no database is configured (the packaged jar has no embedded one). */
    public static ItDatabase fromEnvironment() {
        String url = System.getenv(URL_ENV);
        Assumptions.assumeTrue(
                url != null && !url.isBlank(),
                "multi-instance ITs skipped: set " + URL_ENV + " (and QUARKUS_DATASOURCE_USERNAME/_PASSWORD) to a"
                        + " PostgreSQL; the packaged application has no embedded database");
        String username = System.getenv().getOrDefault("QUARKUS_DATASOURCE_USERNAME", "");
        String password = System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", "");
        String name = "mailsync_it_"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try (Connection c = DriverManager.getConnection(url, username, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
            return new ItDatabase(url, withDatabase(url, name), username, password, name);
        } catch (SQLException e) {
            System.err.println("TwoInstancesIT: cannot create a private database (" + e.getMessage() + "); using " + url
                    + " shared with other tests");
            return new ItDatabase(url, url, username, password, null);
        }
    }

    public String url() {
        return url;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** Whether this is a database of its own (false: the configured one, shared with other tests). */
    public boolean isPrivate() {
        return privateName != null;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, username, password);
    }

    /** Drops the private database, if one was created (its users must be gone by then). */
    @Override
    public void close() {
        if (privateName == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(configuredUrl, username, password);
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + privateName + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("TwoInstancesIT: could not drop database " + privateName + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return url + (isPrivate() ? " (private)" : " (shared)");
    }

    /** The same JDBC URL (host, port, parameters) naming another database. */
    static String withDatabase(String url, String database) {
        int hostStart = url.indexOf("//");
        int pathStart = hostStart < 0 ? -1 : url.indexOf('/', hostStart + 2);
        if (pathStart < 0) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host/database URL: " + url);
        }
        int query = url.indexOf('?', pathStart);
        return url.substring(0, pathStart + 1) + database + (query < 0 ? "" : url.substring(query));
    }
}
