package dev.mailsync.ops;

import dev.mailsync.testsupport.Dovecot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the compose stack's Dovecot configuration with the machine's Dovecot: {@code
 * deploy/dovecot/mailsync-demo.conf} (all the behaviour) and {@code deploy/dovecot/users} (the demo
 * users) are used as they are, included from a small file that says what the container's {@code
 * dovecot.conf} says about paths, ports and system accounts, for a temp directory and free loopback
 * ports. Like {@link Dovecot}, as root it stores mail as {@code vmail} with {@code dovenull} and {@code
 * dovecot} for the login and internal processes; as another user everything runs as that user.
 */
final class DeployDovecot implements AutoCloseable {
    static final Path CONFIG_DIR = Path.of("deploy", "dovecot").toAbsolutePath();
    private static final String HOST = "127.0.0.1";

    private final Path dir;
    private final Process process;
    private final int imapPort;
    private final int pop3Port;

    private DeployDovecot(Path dir, Process process, int imapPort, int pop3Port) {
        this.dir = dir;
        this.process = process;
        this.imapPort = imapPort;
        this.pop3Port = pop3Port;
    }

    /** The demo users and their passwords, read from deploy/dovecot/users. */
    static Map<String, String> users() {
        Map<String, String> users = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(CONFIG_DIR.resolve("users"))) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] fields = line.split(":");
                    users.put(fields[0], fields[1].replaceFirst("^\\{PLAIN}", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return users;
    }

    static DeployDovecot start() throws IOException, InterruptedException {
        Dovecot.assumeInstalled();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "mailsync-deploy-dovecot-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        boolean root = "root".equals(System.getProperty("user.name"));
        String me = System.getProperty("user.name");
        String mailUser = root ? ensureVmail() : me;
        String mailGroup = primaryGroup(mailUser);
        if (root) {
            UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(mail, lookup.lookupPrincipalByName(mailUser));
            Files.getFileAttributeView(mail, PosixFileAttributeView.class)
                    .setGroup(lookup.lookupPrincipalByGroupName(mailGroup));
        }
        int imap = freePort();
        int pop3 = freePort();
        while (pop3 == imap) {
            pop3 = freePort();
        }
        StringBuilder c = new StringBuilder();
        c.append("!include ").append(CONFIG_DIR.resolve("mailsync-demo.conf")).append('\n');
        c.append("listen = ").append(HOST).append('\n');
        c.append("base_dir = ").append(dir.resolve("run")).append('\n');
        c.append("state_dir = ").append(dir.resolve("state")).append('\n');
        c.append("instance_name = mailsync-deploy-").append(imap).append('\n');
        c.append("log_path = ").append(dir.resolve("dovecot.log")).append('\n');
        c.append("default_login_user = ").append(root ? "dovenull" : me).append('\n');
        c.append("default_internal_user = ").append(root ? "dovecot" : me).append('\n');
        c.append("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ")
                .append(CONFIG_DIR.resolve("users"))
                .append("\n}\n");
        c.append("userdb {\n  driver = static\n  args = uid=")
                .append(mailUser)
                .append(" gid=")
                .append(mailGroup)
                .append(" home=")
                .append(mail)
                .append("/%u\n}\n");
        for (String[] service : new String[][] {{"imap", Integer.toString(imap)}, {"pop3", Integer.toString(pop3)}}) {
            c.append("service ").append(service[0]).append("-login {\n  chroot =\n");
            c.append("  inet_listener ")
                    .append(service[0])
                    .append(" {\n    address = ")
                    .append(HOST);
            c.append("\n    port = ").append(service[1]).append("\n  }\n");
            c.append("  inet_listener ").append(service[0]).append("s {\n    port = 0\n  }\n}\n");
        }
        if (!root) {
            c.append("service anvil {\n  chroot =\n}\n");
            for (String service : List.of("auth", "auth-worker", "log", "config", "stats")) {
                c.append("service ")
                        .append(service)
                        .append(" {\n  user = ")
                        .append(me)
                        .append("\n}\n");
            }
        }
        Path conf = dir.resolve("dovecot.conf");
        Files.writeString(conf, c);
        Process process = new ProcessBuilder(
                        System.getenv().getOrDefault("MAILSYNC_DOVECOT_BINARY", "/usr/sbin/dovecot"),
                        "-F",
                        "-c",
                        conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        DeployDovecot dovecot = new DeployDovecot(dir, process, imap, pop3);
        try {
            dovecot.awaitGreeting(imap, "* OK");
            dovecot.awaitGreeting(pop3, "+OK");
            return dovecot;
        } catch (RuntimeException | InterruptedException e) {
            String log = dovecot.log();
            dovecot.close();
            throw new IllegalStateException(
                    "the deploy Dovecot configuration did not start: " + e.getMessage() + "\n" + log, e);
        }
    }

    int imapPort() {
        return imapPort;
    }

    int pop3Port() {
        return pop3Port;
    }

    String log() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("dovecot.log", "stdout.log")) {
            try {
                Path file = dir.resolve(name);
                if (Files.exists(file)) {
                    out.append(Files.readString(file));
                }
            } catch (IOException e) {
                out.append("(cannot read ").append(name).append(")");
            }
        }
        return out.toString();
    }

    private void awaitGreeting(int port, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Dovecot exited with status " + process.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 500);
                s.setSoTimeout(2000);
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if (line != null && line.startsWith(expected)) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no greeting on port " + port);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is not worth failing for
        }
    }

    private static String ensureVmail() throws IOException, InterruptedException {
        if (new ProcessBuilder("getent", "passwd", "vmail").start().waitFor() != 0) {
            Process p = new ProcessBuilder(
                            "useradd",
                            "--system",
                            "--user-group",
                            "--no-create-home",
                            "--home-dir",
                            "/nonexistent",
                            "--shell",
                            "/usr/sbin/nologin",
                            "vmail")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // Another test may have created it a moment ago (exit 9: already exists).
            if (p.waitFor() != 0 && p.exitValue() != 9) {
                throw new IllegalStateException("useradd vmail failed: " + out);
            }
        }
        return "vmail";
    }

    private static String primaryGroup(String user) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-gn", user).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IllegalStateException("no primary group for " + user);
        }
        return out;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
