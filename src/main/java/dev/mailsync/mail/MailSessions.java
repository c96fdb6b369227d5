package dev.mailsync.mail;

import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds Jakarta Mail (Angus) sessions for an endpoint: the guarded socket factories, certificate and
 * host name checks, STARTTLS required when asked for, and every timeout set (Angus waits forever by
 * default). Plain Java; {@link MailBeans} makes one for Quarkus from the configuration.
 */
public final class MailSessions {
    static {
        StreamProviders.pin();
    }

    /** Write timeouts need a scheduler; one shared thread instead of Angus's one thread per socket. */
    private static final ScheduledExecutorService WRITE_TIMEOUTS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mailsync-mail-write-timeout");
        t.setDaemon(true);
        return t;
    });

    private final OutboundGuard guard;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final boolean allowPlaintext;
    private final GuardedSocketFactory socketFactory;

    /**
     * @param connectTimeout time to open the TCP connection
     * @param readTimeout time to wait for any single server response; also used as the write timeout
     * @param allowPlaintext whether {@link Security#NONE} endpoints may be used at all
     */
    public MailSessions(OutboundGuard guard, Duration connectTimeout, Duration readTimeout, boolean allowPlaintext) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.connectTimeout = requirePositive(connectTimeout, "connectTimeout");
        this.readTimeout = requirePositive(readTimeout, "readTimeout");
        this.allowPlaintext = allowPlaintext;
        this.socketFactory = new GuardedSocketFactory(guard, connectTimeout);
    }

    public OutboundGuard guard() {
        return guard;
    }

    /** The Jakarta Mail store protocol for the endpoint: {@code imap}, {@code imaps}, {@code pop3} or {@code pop3s}. */
    public static String storeProtocol(MailEndpoint endpoint) {
        String base = endpoint.protocol() == Protocol.IMAP ? "imap" : "pop3";
        return endpoint.security() == Security.TLS ? base + "s" : base;
    }

    /**
     * The session properties for the endpoint. Callers may add protocol options (for example {@code
     * mail.imap.peek}) before building a session with {@link Session#getInstance(Properties)}; they must
     * not remove the socket factories or timeouts.
     *
     * @throws MailAccessException {@link FailureCode#TLS_FAILED} for a {@link Security#NONE} endpoint when
     *     plaintext is not allowed
     */
    public Properties properties(MailEndpoint endpoint) throws MailAccessException {
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.security() == Security.NONE && !allowPlaintext) {
            throw new MailAccessException(
                    FailureCode.TLS_FAILED,
                    "unencrypted connections are disabled on this service; use TLS or STARTTLS for "
                            + endpoint.address());
        }
        String protocol = storeProtocol(endpoint);
        String prefix = "mail." + protocol;
        Properties props = new Properties();
        props.setProperty("mail.store.protocol", protocol);
        // Never print the protocol trace: it contains the LOGIN / PASS command with the password.
        props.setProperty("mail.debug", "false");
        props.setProperty("mail.debug.auth", "false");

        props.setProperty(prefix + ".connectiontimeout", Integer.toString(millis(connectTimeout)));
        props.setProperty(prefix + ".timeout", Integer.toString(millis(readTimeout)));
        props.setProperty(prefix + ".writetimeout", Integer.toString(millis(readTimeout)));
        props.put(prefix + ".executor.writetimeout", WRITE_TIMEOUTS);

        // Instances must be put(), not setProperty(). No fallback: if our factory refuses, Angus must not
        // retry with a plain socket of its own.
        props.put(prefix + ".socketFactory", socketFactory);
        props.put(prefix + ".ssl.socketFactory", socketFactory);
        props.setProperty(prefix + ".socketFactory.fallback", "false");

        switch (endpoint.security()) {
            case TLS -> {
                props.setProperty(prefix + ".ssl.enable", "true");
                props.setProperty(prefix + ".ssl.checkserveridentity", "true");
            }
            case STARTTLS -> {
                props.setProperty(prefix + ".ssl.enable", "false");
                props.setProperty(prefix + ".starttls.enable", "true");
                props.setProperty(prefix + ".starttls.required", "true");
                props.setProperty(prefix + ".ssl.checkserveridentity", "true");
            }
            case NONE -> {
                props.setProperty(prefix + ".ssl.enable", "false");
                props.setProperty(prefix + ".starttls.enable", "false");
                props.setProperty(prefix + ".starttls.required", "false");
            }
        }
        return props;
    }

    /** A new session for the endpoint, debug output off. */
    public Session session(MailEndpoint endpoint) throws MailAccessException {
        Session session = Session.getInstance(properties(endpoint));
        session.setDebug(false);
        return session;
    }

    /**
     * Connects and logs in. The caller closes the store (it sends LOGOUT / QUIT).
     *
     * @throws MailAccessException with the failure classified by {@link MailFailures#classify(Throwable,
     *     MailEndpoint)}
     */
    public Store connect(MailEndpoint endpoint) throws MailAccessException {
        return connect(endpoint, session(endpoint));
    }

    /** Connects and logs in with a session the caller built from {@link #properties(MailEndpoint)}. */
    public Store connect(MailEndpoint endpoint, Session session) throws MailAccessException {
        Store store;
        try {
            store = session.getStore(storeProtocol(endpoint));
        } catch (MessagingException e) {
            throw new MailAccessException(
                    FailureCode.INTERNAL, "no Jakarta Mail provider for " + storeProtocol(endpoint), e);
        }
        try {
            store.connect(endpoint.host(), endpoint.port(), endpoint.username(), endpoint.password());
            return store;
        } catch (MessagingException | RuntimeException e) {
            closeQuietly(store);
            throw MailFailures.classify(e, endpoint);
        }
    }

    static void closeQuietly(Store store) {
        try {
            store.close();
        } catch (MessagingException | RuntimeException ignored) {
            // Closing after a failure: the first error is the one worth reporting.
        }
    }

    static int millis(Duration d) {
        long ms = d.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    private static Duration requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            // Zero means "wait forever" to java.net and Angus; never what we want.
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }
}
