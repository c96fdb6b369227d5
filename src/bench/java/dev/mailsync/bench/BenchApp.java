package dev.mailsync.bench;

import dev.mailsync.it.AppInstance;
import dev.mailsync.it.ItClient;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service as its own process for the benchmark. Unlike the integration tests' {@link
 * AppInstance} it runs with the JIT's full tiers and the JVM's own GC choice, so the figures are those of
 * a service, not of a quick test start.
 */
final class BenchApp implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final int port;
    private final Path log;
    private final Process process;
    private final List<String> command;

    private BenchApp(int port, Path log, Process process, List<String> command) {
        this.port = port;
        this.log = log;
        this.process = process;
        this.command = command;
    }

    /** Starts {@code target/quarkus-app/quarkus-run.jar}; does not wait, see {@link #awaitReady}. */
    /**
     * The configuration every bench starts the service with: its database, the test JWT key and issuer, a
     * random credentials key, mail servers on private addresses and without TLS allowed (the bench's
     * Dovecot is on loopback), plain-text logs. A bench adds its own settings to the (mutable) map.
     */
    static Map<String, String> serviceProperties(String jdbcUrl, String dbUser, String dbPassword) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("quarkus.datasource.jdbc.url", jdbcUrl);
        p.put("quarkus.datasource.username", dbUser);
        p.put("quarkus.datasource.password", dbPassword);
        p.put(
                "mp.jwt.verify.publickey.location",
                Path.of("src/test/resources/test-jwt/jwt-test-public.pem")
                        .toAbsolutePath()
                        .toString());
        p.put("mp.jwt.verify.issuer", ItClient.ISSUER);
        p.put("mailsync.credentials.active-key-id", "bench");
        p.put("mailsync.credentials.keys.bench", Base64.getEncoder().encodeToString(key));
        p.put("mailsync.outbound.allow-private", "true");
        p.put("mailsync.outbound.allow-plaintext", "true");
        p.put("quarkus.log.console.json.enabled", "false");
        return p;
    }

    /** A bearer token for that subject, signed with the test key the service is configured to trust. */
    static String token(String subject) {
        return ItClient.signingWith(Path.of("src/test/resources/test-jwt/jwt-test-private.pem"))
                .token(subject);
    }

    static BenchApp launch(Path log, List<String> jvmOptions, Map<String, String> properties) {
        Path jar = AppInstance.runnerJar();
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = new ProcessBuilder(command)
                    .directory(jar.getParent().getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new BenchApp(port, log, process, command);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the service", e);
        }
    }

    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        String last = "no answer";
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the service exited during startup (" + process.exitValue() + ")\n" + tail(60));
            }
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the service is not ready after " + timeout + " (" + last + ")\n" + tail(60));
            }
            Thread.sleep(250);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    /** The JVM options it was started with (the command without the system properties, which hold a key). */
    List<String> jvmOptions() {
        return command.stream().skip(1).takeWhile(arg -> !arg.startsWith("-D")).toList();
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log.toAbsolutePath() + " ---\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** SIGTERM (graceful shutdown), then SIGKILL if it takes longer than 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
