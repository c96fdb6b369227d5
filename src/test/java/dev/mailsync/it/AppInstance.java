package dev.mailsync.it;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One instance of the packaged application ({@code target/quarkus-app/quarkus-run.jar}) running as its
 * own OS process on a free loopback port, its console output in a log file.
 */
public final class AppInstance {
    private static final Pattern WORKER_ID = Pattern.compile("job workers started as (\\S+)");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private AppInstance(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** The runner jar that {@code mvn package} built; fails if it is missing. */
    public static Path runnerJar() {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: run `mvn package` (failsafe runs after it in `verify`)");
        }
        return jar;
    }

    /**
     * Starts the packaged application with these system properties (plus its HTTP host and port); does
     * not wait for it, see {@link #awaitReady}.
     */
    public static AppInstance launch(String name, Path log, Map<String, String> properties) {
        Path jar = runnerJar();
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1"); // C1 only: starts faster, enough for a short test
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
            // If this JVM ends without @AfterAll (failsafe timeout, Ctrl-C), the instance goes with it.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, name + "-kill"));
            return new AppInstance(name, port, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /** Waits until {@code /q/health/ready} answers 200; fails with the log's tail otherwise. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        String last = "no answer";
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        name + " exited during startup with status " + process.exitValue() + "\n" + tail(80));
            }
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        name + " not ready after " + timeout + " (last answer: " + last + ")\n" + tail(80));
            }
            sleep(250);
        }
    }

    /** The id its job workers claim with, as it logged at startup ("%d job workers started as %s"). */
    public String workerId() {
        Matcher m = WORKER_ID.matcher(logText());
        if (!m.find()) {
            throw new AssertionError(name + " did not log its worker id\n" + tail(40));
        }
        return m.group(1);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Waits for the process to end by itself; its exit code, or -1 if it still runs after the timeout. */
    public int waitForExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                ? process.exitValue()
                : -1;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL on Linux: no shutdown hook runs, no lease is released. Waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " (pid " + process.pid() + ") still alive 15 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Everything the process has written so far. */
    public String logText() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The last lines of the log, for failure messages. */
    public String tail(int lines) {
        String[] all = logText().split("\n");
        int from = Math.max(0, all.length - lines);
        return "--- last lines of " + log.toAbsolutePath() + " ---\n"
                + String.join("\n", List.of(all).subList(from, all.length));
    }

    @Override
    public String toString() {
        return name + "[port " + port + ", pid " + process.pid() + "]";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
