package dev.mailsync.testsupport;

import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Dovecot 2.3 (IMAP and POP3) for tests, on free loopback ports, with its own configuration,
 * state and maildirs in a temp directory. The system's Dovecot service and {@code /etc/dovecot} play no
 * part, so both can run side by side.
 *
 * <pre>{@code
 * try (Dovecot dovecot = Dovecot.start(Dovecot.options().user("bob", "secret").qresync(false))) {
 *     long uid = dovecot.appendMessage("bob", "INBOX", TestMessages.simple("Hello"));
 *     MailEndpoint imap = dovecot.imapEndpoint("bob");
 *     ...
 * }
 * }</pre>
 *
 * <p>If Dovecot is not installed the calling test is skipped (a JUnit assumption), unless the
 * environment variable {@code MAILSYNC_REQUIRE_DOVECOT=true} is set (CI), in which case it fails. As root
 * (the usual CI container), mail is stored as a {@code vmail} system user, created with {@code useradd}
 * if missing, and login processes run as {@code dovenull} as Dovecot requires; as any other user,
 * every Dovecot process runs as that user.
 */
public final class Dovecot implements AutoCloseable {
    /** Set to {@code true} to turn "Dovecot is not installed" from a skip into a failure. */
    public static final String REQUIRE_ENV = "MAILSYNC_REQUIRE_DOVECOT";
    /** System property or environment variable naming the dovecot binary. */
    public static final String BINARY_PROPERTY = "mailsync.dovecot.binary";

    private static final String DEFAULT_BINARY = "/usr/sbin/dovecot";
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;

    /**
     * Dovecot 2.3.19's post-login capabilities without QRESYNC. Dovecot can only replace its list as a
     * whole, so this is its own default list minus that one word; the quota plugin still adds QUOTA.
     */
    private static final String CAPABILITIES_WITHOUT_QRESYNC = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE"
            + " SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL"
            + " CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE ESEARCH ESORT"
            + " SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW"
            + " STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";

    private final Options options;
    private final Path dir;
    private final Process process;
    private final int imapPort;
    private final int pop3Port;
    private final Ports tlsPorts;
    private final Thread shutdownHook;
    private final Map<String, String> users;

    private Dovecot(Options options, Path dir, Process process, int imapPort, int pop3Port, Ports tlsPorts) {
        this.options = options;
        this.dir = dir;
        this.process = process;
        this.imapPort = imapPort;
        this.pop3Port = pop3Port;
        this.tlsPorts = tlsPorts;
        this.users = new LinkedHashMap<>(options.users);
        this.shutdownHook = new Thread(this::stopProcess, "dovecot-test-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static Options options() {
        return new Options();
    }

    /** Whether a Dovecot binary with its IMAP and POP3 servers is installed. */
    public static boolean isInstalled() {
        return missingReason() == null;
    }

    /**
     * Skips the calling test when Dovecot is missing, or fails it when {@value #REQUIRE_ENV} is {@code
     * true}.
     */
    public static void assumeInstalled() {
        String missing = missingReason();
        if (missing == null) {
            return;
        }
        String message = missing + " (install the Debian packages dovecot-imapd and dovecot-pop3d)";
        if ("true".equalsIgnoreCase(System.getenv(REQUIRE_ENV))) {
            Assertions.fail(message + "; " + REQUIRE_ENV + "=true, so Dovecot tests may not be skipped");
        }
        Assumptions.abort("Dovecot tests skipped: " + message);
    }

    /** Starts Dovecot and waits until both ports greet; skips the test if Dovecot is not installed. */
    public static Dovecot start(Options options) {
        assumeInstalled();
        Accounts accounts = Accounts.forCurrentProcess();
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                return startOnce(options, accounts);
            } catch (PortTakenException e) {
                // Another process took a port between our probe and Dovecot's bind; try new ones.
                last = e;
            }
        }
        throw last;
    }

    public String host() {
        return HOST;
    }

    public int imapPort() {
        return imapPort;
    }

    public int pop3Port() {
        return pop3Port;
    }

    /** The implicit-TLS IMAP port (993 style); only with {@link Options#tls}. */
    public int imapsPort() {
        return requireTls().imap();
    }

    /** The implicit-TLS POP3 port (995 style); only with {@link Options#tls}. */
    public int pop3sPort() {
        return requireTls().pop3();
    }

    private Ports requireTls() {
        if (tlsPorts == null) {
            throw new IllegalStateException("this Dovecot was started without Options.tls");
        }
        return tlsPorts;
    }

    /** The temp directory holding configuration, state, log and maildirs. */
    public Path directory() {
        return dir;
    }

    /** Dovecot's log so far. */
    public String log() {
        return readQuietly(dir.resolve("dovecot.log"));
    }

    /** An IMAP endpoint (no TLS) for a configured user. */
    public MailEndpoint imapEndpoint(String user) {
        return new MailEndpoint(Protocol.IMAP, HOST, imapPort, Security.NONE, user, password(user));
    }

    /** A POP3 endpoint (no TLS) for a configured user. */
    public MailEndpoint pop3Endpoint(String user) {
        return new MailEndpoint(Protocol.POP3, HOST, pop3Port, Security.NONE, user, password(user));
    }

    /**
     * An endpoint with that security: {@code TLS} on the implicit-TLS port, {@code STARTTLS} and {@code
     * NONE} on the plain one (STARTTLS / STLS is offered there only with {@link Options#tls}).
     */
    public MailEndpoint endpoint(Protocol protocol, Security security, String user) {
        int port = protocol == Protocol.IMAP
                ? (security == Security.TLS ? imapsPort() : imapPort)
                : (security == Security.TLS ? pop3sPort() : pop3Port);
        return new MailEndpoint(protocol, HOST, port, security, user, password(user));
    }

    /** Adds a user or changes a password while running (Dovecot rereads its passwd-file when it changes). */
    public void putUser(String user, String password) {
        synchronized (this) {
            users.put(user, password);
            writePasswd(dir, users);
        }
        // Dovecot notices the change on a later lookup, not necessarily the next one: wait until it has.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try (Store store = session().getStore("imap")) {
                store.connect(HOST, imapPort, user, password);
                return;
            } catch (MessagingException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Dovecot did not pick up the new password of " + user, e);
                }
                sleep(100);
            }
        }
    }

    /**
     * Appends a message as that user with IMAP APPEND, creating the folder if needed.
     *
     * @return the UID the server assigned (RFC 4315 APPENDUID)
     */
    public long appendMessage(String user, String folder, byte[] rfc822, Flags flags) {
        return withFolder(user, folder, Folder.READ_WRITE, true, f -> {
            MimeMessage message = new MimeMessage(null, new ByteArrayInputStream(rfc822));
            if (flags != null) {
                message.setFlags(flags, true);
            }
            AppendUID[] uids = f.appendUIDMessages(new Message[] {message});
            if (uids == null || uids.length != 1 || uids[0] == null) {
                throw new IllegalStateException("server returned no APPENDUID");
            }
            return uids[0].uid;
        });
    }

    public long appendMessage(String user, String folder, byte[] rfc822) {
        return appendMessage(user, folder, rfc822, null);
    }

    /**
     * Delivers a message straight into the user's maildir under that file name, as a local delivery agent
     * would (owned like the maildir). With {@code pop3UidlFormat("%f")} the name is its POP3 UIDL, so a
     * name used before by a message that is gone now makes the server reuse that UIDL.
     */
    public void deliverFile(String user, String fileName, byte[] rfc822) {
        if (fileName.contains("/") || fileName.contains(":") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("not a maildir base name: " + fileName);
        }
        uids(user, "INBOX"); // Dovecot creates the maildir (as the mail user) on first use
        Path maildir = dir.resolve("mail").resolve(user).resolve("Maildir");
        try {
            java.nio.file.attribute.PosixFileAttributes owner =
                    Files.readAttributes(maildir, java.nio.file.attribute.PosixFileAttributes.class);
            Path tmp = maildir.resolve("tmp").resolve(fileName);
            Files.write(tmp, rfc822);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.setOwner(tmp, owner.owner());
            Files.getFileAttributeView(tmp, java.nio.file.attribute.PosixFileAttributeView.class)
                    .setGroup(owner.group());
            Path target = maildir.resolve("new").resolve(fileName);
            boolean taken;
            try (Stream<Path> cur = Files.list(maildir.resolve("cur"))) {
                taken = Files.exists(target)
                        || cur.anyMatch(f -> f.getFileName().toString().startsWith(fileName + ":"));
            }
            if (taken) {
                Files.delete(tmp);
                throw new IllegalStateException("a message with the file name " + fileName + " is still there");
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot deliver into " + maildir, e);
        }
    }

    /** Sets ({@code set = true}) or clears flags on one message, as another client would. */
    public void setFlags(String user, String folder, long uid, Flags flags, boolean set) {
        withFolder(user, folder, Folder.READ_WRITE, false, f -> {
            Message message = f.getMessageByUID(uid);
            if (message == null) {
                throw new IllegalArgumentException("no message with UID " + uid + " in " + folder);
            }
            message.setFlags(flags, set);
            return null;
        });
    }

    /** Removes these messages as another client would: \Deleted, then UID EXPUNGE of just those UIDs. */
    public void expunge(String user, String folder, long... uids) {
        withFolder(user, folder, Folder.READ_WRITE, false, f -> {
            List<Message> messages = new ArrayList<>();
            for (long uid : uids) {
                Message m = f.getMessageByUID(uid);
                if (m != null) {
                    m.setFlag(Flags.Flag.DELETED, true);
                    messages.add(m);
                }
            }
            f.expunge(messages.toArray(Message[]::new));
            return null;
        });
    }

    /** Creates a folder (no-op if it exists). */
    public void createFolder(String user, String folder) {
        withFolder(user, folder, -1, true, f -> null);
    }

    /** The UIDs in a folder, ascending. */
    public List<Long> uids(String user, String folder) {
        return withFolder(user, folder, Folder.READ_ONLY, false, f -> {
            List<Long> out = new ArrayList<>();
            for (Message m : f.getMessagesByUID(1, IMAPFolder.LASTUID)) {
                out.add(f.getUID(m));
            }
            return out;
        });
    }

    /** Stops Dovecot (SIGTERM to the master, which stops its children) and waits for it. */
    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // The JVM is already shutting down; the hook runs stopProcess again, harmlessly.
        }
        if (!options.keepDirectory) {
            deleteRecursively(dir);
        }
    }

    @Override
    public String toString() {
        return "Dovecot[imap=" + HOST + ":" + imapPort + ", pop3=" + HOST + ":" + pop3Port + ", dir=" + dir + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private static Dovecot startOnce(Options options, Accounts accounts) {
        Path dir = createDirectory(accounts);
        int imapPort = freePort();
        int pop3Port = freePort();
        while (pop3Port == imapPort) {
            pop3Port = freePort();
        }
        Ports tlsPorts = null;
        if (options.tls != null) {
            Set<Integer> taken = new HashSet<>(List.of(imapPort, pop3Port));
            int imaps = freePort();
            while (!taken.add(imaps)) {
                imaps = freePort();
            }
            int pop3s = freePort();
            while (!taken.add(pop3s)) {
                pop3s = freePort();
            }
            tlsPorts = new Ports(imaps, pop3s);
        }
        Path conf = dir.resolve("dovecot.conf");
        try {
            writePasswd(dir, options.users);
            Files.writeString(conf, config(options, accounts, dir, imapPort, pop3Port, tlsPorts));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process;
        try {
            process = new ProcessBuilder(binary(), "-F", "-c", conf.toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary(), e);
        }
        Dovecot dovecot = new Dovecot(options, dir, process, imapPort, pop3Port, tlsPorts);
        try {
            dovecot.awaitGreetings();
            return dovecot;
        } catch (RuntimeException e) {
            String log = dovecot.log() + readQuietly(dir.resolve("stdout.log"));
            dovecot.close();
            if (log.contains("Address already in use")) {
                throw new PortTakenException(e.getMessage() + "\n" + log);
            }
            throw new IllegalStateException(e.getMessage() + "\n--- Dovecot log (" + dir + ") ---\n" + log, e);
        }
    }

    private void awaitGreetings() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        for (int port : new int[] {imapPort, pop3Port}) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Dovecot exited during startup with status " + process.exitValue());
                }
                String greeting = greeting(port);
                if (greeting != null && (greeting.startsWith("* OK") || greeting.startsWith("+OK"))) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Dovecot did not greet on port " + port + " within "
                            + STARTUP_TIMEOUT.toSeconds() + " s (last answer: " + greeting + ")");
                }
                sleep(50);
            }
        }
    }

    private static String greeting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            s.setSoTimeout(2_000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        } catch (IOException e) {
            return null;
        }
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        // Collect the children first: once the master is gone they are no longer its descendants.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : children) {
                if (child.isAlive()) {
                    child.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String config(Options o, Accounts a, Path dir, int imapPort, int pop3Port, Ports tls) {
        String mailPlugins = o.quota != null ? "quota" : "";
        String imapPlugins = o.quota != null ? "$mail_plugins imap_quota" : "$mail_plugins";
        StringBuilder c = new StringBuilder();
        c.append("# Written by dev.mailsync.testsupport.Dovecot for one test run.\n");
        c.append("protocols = imap pop3\n");
        c.append("listen = ").append(HOST).append('\n');
        c.append("base_dir = ").append(dir.resolve("run")).append('\n');
        c.append("state_dir = ").append(dir.resolve("state")).append('\n');
        c.append("instance_name = mailsync-test-").append(imapPort).append('\n');
        c.append("log_path = ").append(dir.resolve("dovecot.log")).append('\n');
        c.append("info_log_path = ").append(dir.resolve("dovecot.log")).append('\n');
        if (tls == null) {
            c.append("ssl = no\n");
        } else {
            // Offered, not required: STARTTLS / STLS on the plain ports, TLS from the first byte on the others.
            c.append("ssl = yes\n");
            c.append("ssl_cert = <").append(o.tls.certificate()).append('\n');
            c.append("ssl_key = <").append(o.tls.key()).append('\n');
        }
        c.append("disable_plaintext_auth = no\n");
        c.append("auth_mechanisms = plain login\n");
        c.append("auth_verbose = yes\n");
        // Tests log in with wrong passwords on purpose: no 2 s failure delay (and, below, no per-IP penalty
        // that would slow every later login from 127.0.0.1).
        c.append("auth_failure_delay = 0\n");
        c.append("default_login_user = ").append(a.loginUser).append('\n');
        c.append("default_internal_user = ").append(a.internalUser).append('\n');
        c.append("first_valid_uid = 1\n");
        c.append("first_valid_gid = 1\n");
        c.append("mail_location = maildir:~/Maildir\n");
        c.append("mail_plugins = ").append(mailPlugins).append('\n');
        c.append("pop3_uidl_format = ").append(o.pop3UidlFormat).append('\n');
        if (o.pop3LockSession) {
            c.append("pop3_lock_session = yes\n");
        }
        if (!o.qresync) {
            // A full list replaces the plugins' additions too, so QUOTA is listed here when the plugin is on.
            c.append("imap_capability = ")
                    .append(CAPABILITIES_WITHOUT_QRESYNC)
                    .append(o.quota != null ? " QUOTA" : "")
                    .append('\n');
        }
        c.append("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ")
                .append(dir.resolve("passwd"))
                .append("\n}\n");
        c.append("userdb {\n  driver = static\n  args = uid=")
                .append(a.mailUid)
                .append(" gid=")
                .append(a.mailGid)
                .append(" home=")
                .append(dir.resolve("mail"))
                .append("/%u\n}\n");
        c.append("namespace inbox {\n  inbox = yes\n  separator = /\n");
        for (String[] special : new String[][] {
            {"Drafts", "\\Drafts"},
            {"Sent", "\\Sent"},
            {"Trash", "\\Trash"},
            {"Junk", "\\Junk"},
            {"Archive", "\\Archive"}
        }) {
            c.append("  mailbox ")
                    .append(special[0])
                    .append(" {\n    special_use = ")
                    .append(special[1])
                    .append("\n    auto = subscribe\n  }\n");
        }
        c.append("}\n");
        c.append("protocol imap {\n  mail_plugins = ").append(imapPlugins).append("\n}\n");
        if (o.quota != null) {
            c.append("plugin {\n  quota = maildir:User quota\n  quota_rule = *:storage=")
                    .append(o.quota)
                    .append("\n}\n");
        }
        // chroot needs root and a prepared directory tree; the login processes need neither here.
        c.append("service imap-login {\n  chroot =\n  inet_listener imap {\n    address = ")
                .append(HOST)
                .append("\n    port = ")
                .append(imapPort)
                .append("\n  }\n")
                .append(tlsListener("imaps", tls == null ? 0 : tls.imap()))
                .append("}\n");
        c.append("service pop3-login {\n  chroot =\n  inet_listener pop3 {\n    address = ")
                .append(HOST)
                .append("\n    port = ")
                .append(pop3Port)
                .append("\n  }\n")
                .append(tlsListener("pop3s", tls == null ? 0 : tls.pop3()))
                .append("}\n");
        // Mode 0 switches the authentication penalty off (Dovecot's documented way).
        c.append("service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n");
        if (!a.root) {
            c.append("  chroot =\n");
        }
        c.append("}\n");
        if (!a.root) {
            // Unprivileged: nothing can change user or chroot, so every service runs as the current user.
            for (String service : List.of("auth", "auth-worker", "log", "config", "stats")) {
                c.append("service ")
                        .append(service)
                        .append(" {\n  user = ")
                        .append(a.internalUser)
                        .append("\n}\n");
            }
        }
        return c.toString();
    }

    private static String tlsListener(String name, int port) {
        if (port == 0) {
            return "  inet_listener " + name + " {\n    port = 0\n  }\n";
        }
        return "  inet_listener " + name + " {\n    address = " + HOST + "\n    port = " + port
                + "\n    ssl = yes\n  }\n";
    }

    /** The implicit-TLS ports. */
    private record Ports(int imap, int pop3) {}

    private static void writePasswd(Path dir, Map<String, String> users) {
        StringBuilder passwd = new StringBuilder();
        users.forEach((user, password) -> {
            if (user.contains(":") || password.contains(":") || password.contains("\n")) {
                throw new IllegalArgumentException("user names and passwords may not contain ':' or newlines");
            }
            passwd.append(user).append(":{PLAIN}").append(password).append("::::::\n");
        });
        Path file = dir.resolve("passwd");
        try {
            Path tmp = dir.resolve("passwd.tmp");
            Files.writeString(tmp, passwd);
            // Read by the auth process, which does not run as root.
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String password(String user) {
        String password;
        synchronized (this) {
            password = users.get(user);
        }
        if (password == null) {
            throw new IllegalArgumentException("unknown test user " + user + "; known: " + users.keySet());
        }
        return password;
    }

    private interface FolderAction<T> {
        T run(IMAPFolder folder) throws MessagingException, IOException;
    }

    private <T> T withFolder(String user, String folderName, int mode, boolean create, FolderAction<T> action) {
        try (Store store = session().getStore("imap")) {
            store.connect(HOST, imapPort, user, password(user));
            IMAPFolder folder = (IMAPFolder) store.getFolder(folderName);
            if (create && !folder.exists() && !folder.create(Folder.HOLDS_MESSAGES)) {
                throw new IllegalStateException("cannot create folder " + folderName);
            }
            if (mode >= 0) {
                folder.open(mode);
            }
            try {
                return action.run(folder);
            } finally {
                if (folder.isOpen()) {
                    folder.close(false);
                }
            }
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("IMAP helper failed for " + user + "/" + folderName + ": " + e, e);
        }
    }

    private static Session session() {
        Properties props = new Properties();
        props.setProperty("mail.imap.connectiontimeout", "5000");
        props.setProperty("mail.imap.timeout", "10000");
        return Session.getInstance(props);
    }

    private static Path createDirectory(Accounts accounts) {
        try {
            // Short path: Dovecot's UNIX sockets live in base_dir and socket paths are limited to ~107 bytes.
            Path parent = Files.isDirectory(Path.of("/tmp"))
                    ? Path.of("/tmp")
                    : Path.of(System.getProperty("java.io.tmpdir"));
            Path dir = Files.createTempDirectory(parent, "mailsync-dovecot-");
            // Dovecot's unprivileged processes must reach the files below.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path mail = Files.createDirectories(dir.resolve("mail"));
            Files.createDirectories(dir.resolve("run"));
            Files.createDirectories(dir.resolve("state"));
            if (accounts.root) {
                UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(mail, lookup.lookupPrincipalByName(accounts.mailUser));
                Files.getFileAttributeView(mail, java.nio.file.attribute.PosixFileAttributeView.class)
                        .setGroup(lookup.lookupPrincipalByGroupName(accounts.mailGroup));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a directory for Dovecot", e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String binary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("MAILSYNC_DOVECOT_BINARY");
        }
        return configured == null || configured.isBlank() ? DEFAULT_BINARY : configured;
    }

    private static String missingReason() {
        Path binary = Path.of(binary());
        if (!Files.isExecutable(binary)) {
            return "Dovecot is not installed: " + binary + " not found";
        }
        // The IMAP and POP3 servers come in separate packages; look where Debian and Fedora put them.
        for (String server : List.of("imap", "pop3")) {
            boolean knownLayout = false;
            boolean found = false;
            for (String libexec : List.of("/usr/lib/dovecot", "/usr/libexec/dovecot")) {
                if (Files.isDirectory(Path.of(libexec))) {
                    knownLayout = true;
                    found |= Files.isExecutable(Path.of(libexec, server));
                }
            }
            if (knownLayout && !found) {
                return "Dovecot's " + server + " server is not installed";
            }
        }
        return null;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp directory is not worth failing a test for.
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Dovecot", e);
        }
    }

    /** Which system accounts Dovecot's processes and the mail files use. */
    private record Accounts(
            boolean root,
            String loginUser,
            String internalUser,
            String mailUser,
            String mailGroup,
            int mailUid,
            int mailGid) {

        static Accounts forCurrentProcess() {
            try {
                Path probe = Files.createTempFile("mailsync-uid", ".probe");
                int uid;
                int gid;
                String owner;
                try {
                    uid = (Integer) Files.getAttribute(probe, "unix:uid");
                    gid = (Integer) Files.getAttribute(probe, "unix:gid");
                    owner = Files.getOwner(probe).getName();
                } finally {
                    Files.deleteIfExists(probe);
                }
                if (uid != 0) {
                    return new Accounts(false, owner, owner, owner, owner, uid, gid);
                }
                // Dovecot refuses to run login processes or mail access as root (its security model).
                for (String required : List.of("dovenull", "dovecot")) {
                    if (passwdEntry(required) == null) {
                        throw new IllegalStateException(
                                "system user " + required + " is missing; it comes with the dovecot-core package");
                    }
                }
                String[] vmail = passwdEntry("vmail");
                if (vmail == null) {
                    run(
                            "useradd",
                            "--system",
                            "--user-group",
                            "--no-create-home",
                            "--home-dir",
                            "/nonexistent",
                            "--shell",
                            "/usr/sbin/nologin",
                            "vmail");
                    vmail = passwdEntry("vmail");
                    if (vmail == null) {
                        throw new IllegalStateException("useradd vmail succeeded but getent cannot find vmail");
                    }
                }
                String group = groupName(Integer.parseInt(vmail[3]));
                return new Accounts(
                        true,
                        "dovenull",
                        "dovecot",
                        "vmail",
                        group,
                        Integer.parseInt(vmail[2]),
                        Integer.parseInt(vmail[3]));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String[] passwdEntry(String user) {
            String line = run("getent", "passwd", user);
            return line == null || line.isBlank() ? null : line.strip().split(":");
        }

        private static String groupName(int gid) {
            String line = run("getent", "group", Integer.toString(gid));
            if (line == null || line.isBlank()) {
                throw new IllegalStateException("no group with gid " + gid);
            }
            return line.strip().split(":")[0];
        }

        /** Stdout of a command that exited 0; null for exit 2 (getent: not found); else an exception. */
        private static String run(String... command) {
            try {
                Process p =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish");
                }
                if (p.exitValue() == 0) {
                    return out;
                }
                if (p.exitValue() == 2 && command[0].equals("getent")) {
                    return null;
                }
                throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + command[0], e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Startup options; every setter returns this. */
    public static final class Options {
        private final Map<String, String> users = new LinkedHashMap<>();
        private String quota = "10M";
        private boolean qresync = true;
        private boolean keepDirectory;
        private boolean pop3LockSession;
        private TestCertificates.Server tls;
        private String pop3UidlFormat = "%08Xu%08Xv";

        private Options() {}

        /**
         * Dovecot's {@code pop3_uidl_format}. Default {@code %08Xu%08Xv} (UID and UIDVALIDITY: never
         * reused). {@code %f}, the maildir file name, lets a test reuse a UIDL: {@link #deliverFile} a
         * message under the file name of one that is gone.
         */
        public Options pop3UidlFormat(String format) {
            this.pop3UidlFormat = format;
            return this;
        }

        /**
         * TLS with this certificate: IMAPS and POP3S on ports of their own ({@link #imapsPort()}, {@link
         * #pop3sPort()}), STARTTLS and STLS offered on the plain ports. Default: no TLS at all.
         */
        public Options tls(TestCertificates.Server certificate) {
            this.tls = certificate;
            return this;
        }

        /** A user with that password ({PLAIN} in a passwd-file). */
        public Options user(String name, String password) {
            users.put(name, password);
            return this;
        }

        /**
         * The storage quota, in Dovecot's syntax ({@code 10M}, {@code 512k}); null turns the quota plugins
         * off (no QUOTA capability). Default 10M.
         */
        public Options quota(String storage) {
            this.quota = storage;
            return this;
        }

        /** False: announce CONDSTORE but not QRESYNC, for the CONDSTORE-only path. Default true. */
        public Options qresync(boolean enabled) {
            this.qresync = enabled;
            return this;
        }

        /**
         * True: a POP3 session locks the maildrop, and a second one is refused with {@code [IN-USE]}
         * after Dovecot's fixed 10 s lock wait (Dovecot's {@code pop3_lock_session}). Default false, as in
         * Dovecot.
         */
        public Options pop3LockSession(boolean lock) {
            this.pop3LockSession = lock;
            return this;
        }

        /** Keep the temp directory after {@link #close()}, to read the log of a failed test. */
        public Options keepDirectory(boolean keep) {
            this.keepDirectory = keep;
            return this;
        }
    }

    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
