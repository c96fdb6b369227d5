package dev.mailsync.bench;

import dev.mailsync.testsupport.Dovecot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second Dovecot master over the same users and home directories as a running {@link Dovecot} of the
 * test harness, storing mail as mdbox instead of the harness's maildir ({@code MAIL_FORMAT=mdbox}).
 *
 * <p>Why: with 100,000 messages in a maildir INBOX, Dovecot 2.3 spends 0.1–0.5 s in a STATUS or EXAMINE
 * of INBOX that follows any other mailbox command in the session (and 0.2–0.3 s in each APPEND), so the
 * server, not the client, sets the time of a sync with nothing or little changed. mdbox answers the same
 * commands in about a millisecond. The harness only writes maildir configurations, so this class derives
 * one from the harness's {@code dovecot.conf} (mail location, ports, base and state directories, log)
 * and converts each user's seeded maildir with {@code doveadm backup -R} before the new master starts.
 */
final class MdboxDovecot implements AutoCloseable {
    private static final String DOVEADM = "/usr/bin/doveadm";

    private final Process process;
    private final int imapPort;
    private final Path log;

    private MdboxDovecot(Process process, int imapPort, Path log) {
        this.process = process;
        this.imapPort = imapPort;
        this.log = log;
    }

    /** Converts the users' maildirs to mdbox and starts a Dovecot serving them; the harness's keeps running. */
    static MdboxDovecot convertAndStart(Dovecot harness, List<String> users) throws IOException, InterruptedException {
        Path dir = harness.directory();
        String conf = Files.readString(dir.resolve("dovecot.conf"));
        int imapPort = freePort();
        int pop3Port = freePort();
        Path log = dir.resolve("dovecot-mdbox.log");
        conf = replace(conf, "mail_location = maildir:~/Maildir", "mail_location = mdbox:~/mdbox");
        conf = replaceLine(conf, "base_dir = ", "base_dir = " + dir.resolve("run-mdbox"));
        conf = replaceLine(conf, "state_dir = ", "state_dir = " + dir.resolve("state-mdbox"));
        conf = replaceLine(conf, "instance_name = ", "instance_name = mailsync-bench-mdbox-" + imapPort);
        conf = replaceLine(conf, "log_path = ", "log_path = " + log);
        conf = replaceLine(conf, "info_log_path = ", "info_log_path = " + log);
        conf = replace(conf, "port = " + harness.imapPort() + "\n", "port = " + imapPort + "\n");
        conf = replace(conf, "port = " + harness.pop3Port() + "\n", "port = " + pop3Port + "\n");
        for (String sub : List.of("run-mdbox", "state-mdbox")) {
            Files.createDirectories(dir.resolve(sub));
            Files.setPosixFilePermissions(
                    dir.resolve(sub), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path confFile = dir.resolve("dovecot-mdbox.conf");
        Files.writeString(confFile, conf);

        // doveadm backup -R: make the user's mail_location (overridden to mdbox) an exact copy of the maildir,
        // run with the harness's configuration, whose master is up.
        for (String user : users) {
            Path home = dir.resolve("mail").resolve(user);
            run(
                    DOVEADM,
                    "-c",
                    dir.resolve("dovecot.conf").toString(),
                    "-o",
                    "mail_location=mdbox:" + home.resolve("mdbox"),
                    "backup",
                    "-R",
                    "-u",
                    user,
                    "maildir:" + home.resolve("Maildir"));
        }

        Process process = new ProcessBuilder("/usr/sbin/dovecot", "-F", "-c", confFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout-mdbox.log").toFile())
                .start();
        MdboxDovecot d = new MdboxDovecot(process, imapPort, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the mdbox Dovecot exited: " + d.log());
            }
            if (greets(imapPort)) {
                return d;
            }
            if (System.nanoTime() > deadline) {
                d.close();
                throw new IllegalStateException("the mdbox Dovecot does not greet on " + imapPort + ": " + d.log());
            }
            Thread.sleep(50);
        }
    }

    int imapPort() {
        return imapPort;
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    private static String replace(String conf, String from, String to) {
        if (!conf.contains(from)) {
            throw new IllegalStateException("the harness's dovecot.conf has no '" + from.strip()
                    + "' any more; MdboxDovecot must follow testsupport.Dovecot");
        }
        return conf.replace(from, to);
    }

    private static String replaceLine(String conf, String prefix, String line) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + ".*$").matcher(conf);
        if (!m.find()) {
            throw new IllegalStateException("the harness's dovecot.conf has no '" + prefix.strip()
                    + "' line any more; MdboxDovecot must follow testsupport.Dovecot");
        }
        return m.replaceAll(Matcher.quoteReplacement(line));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        }
    }

    private static boolean greets(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2_000);
            String line =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return line != null && line.startsWith("* OK");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
