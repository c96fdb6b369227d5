package dev.mailsync.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Certificates for TLS tests, made with the {@code openssl} command (Debian's Dovecot depends on it, so it
 * is there wherever {@link Dovecot} runs): a test CA, and server certificates it issues for the names and
 * addresses a test needs. Valid from now for two days; EC P-256 keys.
 *
 * <pre>{@code
 * TestCertificates.Authority ca = TestCertificates.authority("test CA");
 * TestCertificates.Server server = ca.issue("IP:127.0.0.1");
 * Dovecot.start(Dovecot.options().tls(server));   // the service trusts ca.certificate()
 * }</pre>
 */
public final class TestCertificates {
    private static final AtomicInteger SERIAL = new AtomicInteger();

    private TestCertificates() {}

    /** A server certificate (PEM, issued by a test CA) and its unencrypted private key (PEM). */
    public record Server(Path certificate, Path key) {}

    /** A test CA in a temp directory of its own (deleted when the JVM exits). */
    public static final class Authority {
        private final Path dir;

        private Authority(Path dir) {
            this.dir = dir;
        }

        /** The CA's certificate (PEM): what a client must trust. */
        public Path certificate() {
            return dir.resolve("ca.pem");
        }

        /**
         * A server certificate signed by this CA for these subject alternative names, in openssl's syntax
         * ({@code IP:127.0.0.1}, {@code DNS:mail.example.test}).
         */
        public Server issue(String... subjectAltNames) {
            if (subjectAltNames.length == 0) {
                throw new IllegalArgumentException("a server certificate needs at least one name");
            }
            int serial = SERIAL.incrementAndGet();
            Path out = dir.resolve("server-" + serial);
            try {
                Files.createDirectories(out);
                Files.writeString(
                        out.resolve("ext.cnf"),
                        "basicConstraints = critical, CA:FALSE\n"
                                + "keyUsage = critical, digitalSignature\n"
                                + "extendedKeyUsage = serverAuth\n"
                                + "subjectAltName = " + String.join(", ", subjectAltNames) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path key = out.resolve("server.key");
            Path csr = out.resolve("server.csr");
            Path cert = out.resolve("server.pem");
            openssl(
                    "req",
                    "-new",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                    "-keyout",
                    key.toString(),
                    "-out",
                    csr.toString(),
                    "-subj",
                    "/CN=mailsync test server " + serial);
            openssl(
                    "x509",
                    "-req",
                    "-in",
                    csr.toString(),
                    "-CA",
                    certificate().toString(),
                    "-CAkey",
                    dir.resolve("ca.key").toString(),
                    "-set_serial",
                    Long.toString(System.nanoTime()),
                    "-days",
                    "2",
                    "-sha256",
                    "-extfile",
                    out.resolve("ext.cnf").toString(),
                    "-out",
                    cert.toString());
            return new Server(cert, key);
        }

        @Override
        public String toString() {
            return "TestCertificates.Authority[" + dir + "]";
        }
    }

    /** A new CA whose subject carries {@code name}. */
    public static Authority authority(String name) {
        Path dir;
        try {
            dir = Files.createTempDirectory("mailsync-test-ca-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir), "test-ca-cleanup"));
        openssl(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                dir.resolve("ca.key").toString(),
                "-out",
                dir.resolve("ca.pem").toString(),
                "-days",
                "2",
                "-sha256",
                "-subj",
                "/CN=" + name,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
        return new Authority(dir);
    }

    /**
     * One CA per {@code name} for the whole JVM, also across class loaders (a Quarkus test profile and
     * its test class may be loaded apart): the directory is remembered in a system property.
     */
    public static Authority shared(String name) {
        // Not under "mailsync.": the service would take it for one of its settings.
        String property = "dev.mailsync.testsupport.ca." + name.replaceAll("[^A-Za-z0-9]", "-");
        synchronized (property.intern()) {
            String known = System.getProperty(property);
            if (known != null && Files.exists(Path.of(known, "ca.pem"))) {
                return new Authority(Path.of(known));
            }
            Authority ca = authority(name);
            System.setProperty(property, ca.dir.toString());
            return ca;
        }
    }

    private static void openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl did not finish: " + command);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("openssl failed (" + p.exitValue() + "): " + command + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot run openssl (Debian: apt-get install openssl; Dovecot's package depends on it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
