package dev.mailsync.demo;

import com.icegreen.greenmail.imap.AuthorizationException;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailsync.config.MailsyncConfig;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Dev mode only ({@code mailsync.dev.enabled}, a build-time setting that only {@code %dev} turns on): a
 * real mail server on loopback — GreenMail with IMAP, POP3 and SMTP — seeded with the demo mailboxes of
 * {@link DemoMessages}, and demo accounts for it ({@link DemoAccounts}), so that a newcomer sees a sync
 * with nothing but a JDK. One server per JVM, like the embedded PostgreSQL: in dev mode it outlives
 * reloads (a reload finds it by the ports it left in a system property), so the mailboxes, their UIDs and
 * what the devices did stay as they were; the JVM's exit stops it.
 */
@ApplicationScoped
@IfBuildProperty(name = "mailsync.dev.enabled", stringValue = "true")
public class DemoMailServer {
    private static final Logger LOG = Logger.getLogger(DemoMailServer.class);
    /**
     * The ports of the one server of this JVM, kept across reloads ("imap,pop3,smtp"); not under
     * {@code mailsync.}, which the configuration checks for unknown names.
     */
    private static final String RUNNING = "demo-mail-server.ports";

    public static final String IMAP_USER = "demo";
    public static final String IMAP_PASSWORD = "demo";
    public static final String POP3_USER = "pop";
    public static final String POP3_PASSWORD = "pop";

    /** The running server's ports. */
    public record Ports(int imap, int pop3, int smtp) {}

    private final MailsyncConfig config;
    private final DemoAccounts accounts;
    private volatile Ports ports;
    /** The server this application started (none when it found one a previous reload started). */
    private volatile GreenMail started;

    DemoMailServer(MailsyncConfig config, DemoAccounts accounts) {
        this.config = config;
        this.accounts = accounts;
    }

    /** Before the workers start (they may find a demo job at once). */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        if (!config.dev().demo().start()) {
            return;
        }
        ports = running().orElseGet(this::startAndSeed);
        accounts.ensure(config.dev().demo().owner(), ports);
        LOG.debugf("demo mail server: IMAP %d, POP3 %d, SMTP %d", ports.imap(), ports.pop3(), ports.smtp());
    }

    /**
     * Dev mode keeps the server for the next reload (its mailboxes stay as the devices left them); any other
     * launch (a test with {@code mailsync.dev.enabled}) stops it with the application.
     */
    void onStop(@Observes ShutdownEvent event) {
        GreenMail server = started;
        if (server != null && LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            server.stop();
            System.clearProperty(RUNNING);
        }
    }

    /** The ports, or empty when the demo server is not started ({@code mailsync.dev.demo.start=false}). */
    public Optional<Ports> ports() {
        return Optional.ofNullable(ports);
    }

    /** The server a previous dev-mode reload started, if it still listens. */
    private static Optional<Ports> running() {
        String kept = System.getProperty(RUNNING);
        if (kept == null) {
            return Optional.empty();
        }
        String[] p = kept.split(",");
        Ports found = new Ports(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
        return free(found.imap()) || free(found.pop3()) || free(found.smtp()) ? Optional.empty() : Optional.of(found);
    }

    private Ports startAndSeed() {
        MailsyncConfig.Dev.Demo demo = config.dev().demo();
        ServerSetup[] setups = {
            setup(demo.imapPort(), ServerSetup.PROTOCOL_IMAP, "mailsync.dev.demo.imap-port"),
            setup(demo.pop3Port(), ServerSetup.PROTOCOL_POP3, "mailsync.dev.demo.pop3-port"),
            setup(demo.smtpPort(), ServerSetup.PROTOCOL_SMTP, "mailsync.dev.demo.smtp-port")
        };
        GreenMail server = new GreenMail(setups);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "mailsync-demo-mail-stop"));
        GreenMailUser imap = server.setUser(IMAP_USER + "@" + DemoMessages.DOMAIN, IMAP_USER, IMAP_PASSWORD);
        GreenMailUser pop3 = server.setUser(POP3_USER + "@" + DemoMessages.DOMAIN, POP3_USER, POP3_PASSWORD);
        try {
            seed(server, imap, DemoMessages.imapMailbox(IMAP_USER));
            seed(server, pop3, DemoMessages.pop3Mailbox(POP3_USER));
        } catch (FolderException | AuthorizationException e) {
            server.stop();
            throw new IllegalStateException("could not seed the demo mail server: " + e.getMessage(), e);
        }
        started = server;
        Ports listening = new Ports(
                server.getImap().getPort(),
                server.getPop3().getPort(),
                server.getSmtp().getPort());
        System.setProperty(RUNNING, listening.imap() + "," + listening.pop3() + "," + listening.smtp());
        return listening;
    }

    private static void seed(GreenMail server, GreenMailUser user, List<DemoMessages.Demo> messages)
            throws FolderException, AuthorizationException {
        var folders = server.getManagers().getImapHostManager();
        Map<String, MailFolder> byName = new HashMap<>();
        byName.put("INBOX", folders.getInbox(user));
        for (DemoMessages.Demo m : messages) {
            MailFolder folder = byName.get(m.folder());
            if (folder == null) {
                folder = folders.createMailbox(user, m.folder());
                byName.put(m.folder(), folder);
            }
            folder.appendMessage(m.message(), m.flags(), m.received());
        }
    }

    /**
     * A loopback server setup on the configured port, or on a free one (printed) when that is 0 or in
     * use: a busy port never stops dev mode.
     */
    private static ServerSetup setup(int port, String protocol, String property) {
        int chosen = port;
        if (port != 0 && !free(port)) {
            LOG.warnf(
                    "port %d (%s) is in use: the demo %s server listens on a free port instead (printed below)",
                    port, property, protocol.toUpperCase(Locale.ROOT));
            chosen = 0;
        }
        return new ServerSetup(chosen, "127.0.0.1", protocol);
    }

    private static boolean free(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
