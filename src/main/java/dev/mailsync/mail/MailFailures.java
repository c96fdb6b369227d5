package dev.mailsync.mail;

import dev.mailsync.sync.FailureCode;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.security.cert.CertificateException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * The one place that turns whatever Angus or java.net threw into a stable {@link FailureCode} and a
 * precise detail for the account's owner. Used by {@link MailVerifier} and by the sync engine.
 *
 * <p>The whole cause chain is searched ({@link MessagingException#getNextException()} and {@link
 * Throwable#getCause()}), because Angus wraps the interesting exception in one or two layers of its own;
 * the most specific reason found anywhere in the chain wins.
 */
public final class MailFailures {
    private static final int MAX_SERVER_TEXT = 200;

    private MailFailures() {}

    /** Classifies a failure when the endpoint is not known (the detail then names no host). */
    public static MailAccessException classify(Throwable failure) {
        return classify(failure, null);
    }

    /**
     * Classifies a failure that happened while talking to the endpoint.
     *
     * @param endpoint may be null; when given, the detail names its address and user, and its password is
     *     removed from any text quoted from the server
     */
    public static MailAccessException classify(Throwable failure, MailEndpoint endpoint) {
        List<Throwable> chain = chain(failure);
        String where = endpoint != null ? endpoint.address() : addressIn(chain);

        MailAccessException known = find(chain, MailAccessException.class);
        if (known != null) {
            return known;
        }
        if (find(chain, InterruptedException.class) != null || find(chain, ClosedByInterruptException.class) != null) {
            return failed(FailureCode.CANCELLED, "the operation was interrupted", failure, endpoint);
        }
        AuthenticationFailedException auth = find(chain, AuthenticationFailedException.class);
        if (auth != null && auth.getCause() == null) {
            MailAccessException disguised = angusPop3Disguise(auth, where, failure, endpoint);
            if (disguised != null) {
                return disguised;
            }
        }
        if (auth != null) {
            String user = endpoint != null ? " for user " + endpoint.username() : "";
            return failed(
                    FailureCode.AUTH_FAILED,
                    "server rejected login" + user + serverSays(auth.getMessage()),
                    failure,
                    endpoint);
        }
        Throwable tls = firstTlsFailure(chain);
        if (tls != null) {
            return failed(FailureCode.TLS_FAILED, tlsDetail(tls, where), failure, endpoint);
        }
        SocketTimeoutException timeout = find(chain, SocketTimeoutException.class);
        if (timeout != null) {
            boolean connecting = String.valueOf(timeout.getMessage())
                    .toLowerCase(Locale.ROOT)
                    .contains("connect");
            return failed(
                    FailureCode.TIMEOUT,
                    connecting ? "timed out connecting to " + where : "timed out waiting for a response from " + where,
                    failure,
                    endpoint);
        }
        UnknownHostException unknownHost = find(chain, UnknownHostException.class);
        if (unknownHost != null) {
            String host = endpoint != null ? endpoint.host() : String.valueOf(unknownHost.getMessage());
            return failed(FailureCode.HOST_UNREACHABLE, "cannot resolve host " + host, failure, endpoint);
        }
        if (find(chain, ConnectException.class) != null) {
            return failed(FailureCode.HOST_UNREACHABLE, "connection refused by " + where, failure, endpoint);
        }
        if (find(chain, NoRouteToHostException.class) != null) {
            return failed(FailureCode.HOST_UNREACHABLE, "no route to " + where, failure, endpoint);
        }
        if (find(chain, PortUnreachableException.class) != null) {
            return failed(FailureCode.HOST_UNREACHABLE, "port unreachable at " + where, failure, endpoint);
        }
        SocketException socket = find(chain, SocketException.class);
        if (socket != null) {
            // Reset or broken pipe in the middle of a session: the network or the server went away.
            return failed(
                    FailureCode.HOST_UNREACHABLE,
                    "connection to " + where + " was lost" + serverSays(socket.getMessage()),
                    failure,
                    endpoint);
        }
        if (find(chain, EOFException.class) != null || droppedByServer(chain)) {
            return failed(
                    FailureCode.PROTOCOL_ERROR,
                    "server " + where + " closed the connection unexpectedly",
                    failure,
                    endpoint);
        }
        Throwable bug = firstBug(chain);
        if (bug != null) {
            return failed(
                    FailureCode.INTERNAL,
                    "unexpected failure talking to " + where + ": "
                            + bug.getClass().getSimpleName(),
                    failure,
                    endpoint);
        }
        return failed(
                FailureCode.PROTOCOL_ERROR,
                "unexpected answer from " + where + serverSays(mostSpecificMessage(chain)),
                failure,
                endpoint);
    }

    /**
     * Angus's POP3 store turns every {@link EOFException} during connect and login into an {@link
     * AuthenticationFailedException} that keeps only the message: a read timeout, a dropped connection and
     * a missing STLS all look like a refused password. Its own fixed texts tell them apart; anything else
     * is the server's answer to USER/PASS and stays AUTH_FAILED.
     */
    private static MailAccessException angusPop3Disguise(
            AuthenticationFailedException auth, String where, Throwable failure, MailEndpoint endpoint) {
        String m = String.valueOf(auth.getMessage());
        String lower = m.toLowerCase(Locale.ROOT);
        if (m.startsWith("STLS required")) {
            return failed(
                    FailureCode.TLS_FAILED,
                    m.contains("not supported")
                            ? "server " + where + " does not offer STARTTLS, which this account requires"
                            : "STARTTLS with " + where + " failed",
                    failure,
                    endpoint);
        }
        if (lower.endsWith("timed out")) {
            return failed(FailureCode.TIMEOUT, "timed out waiting for a response from " + where, failure, endpoint);
        }
        if (m.equals("EOF on socket")) {
            return failed(
                    FailureCode.PROTOCOL_ERROR,
                    "server " + where + " closed the connection unexpectedly",
                    failure,
                    endpoint);
        }
        if (lower.startsWith("connection reset") || lower.equals("broken pipe") || lower.equals("socket closed")) {
            return failed(
                    FailureCode.HOST_UNREACHABLE, "connection to " + where + " was lost: " + m, failure, endpoint);
        }
        return null;
    }

    private static MailAccessException failed(FailureCode code, String detail, Throwable cause, MailEndpoint endpoint) {
        return new MailAccessException(code, scrub(detail, endpoint), cause);
    }

    /** The throwables of the chain, outermost first, each once. */
    static List<Throwable> chain(Throwable failure) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        if (failure != null) {
            todo.add(failure);
        }
        while (!todo.isEmpty() && out.size() < 50) {
            Throwable t = todo.removeFirst();
            if (!seen.add(t)) {
                continue;
            }
            out.add(t);
            if (t instanceof MessagingException me && me.getNextException() != null) {
                todo.add(me.getNextException());
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            for (Throwable s : t.getSuppressed()) {
                todo.add(s);
            }
            // Angus's IMAP turns an I/O failure into a synthetic "* BYE" response and throws a
            // ProtocolException around that response, not around the I/O exception: dig it out.
            if (t instanceof ProtocolException pe
                    && pe.getResponse() != null
                    && pe.getResponse().getException() != null) {
                todo.add(pe.getResponse().getException());
            }
        }
        return out;
    }

    private static <T extends Throwable> T find(List<Throwable> chain, Class<T> type) {
        for (Throwable t : chain) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable firstTlsFailure(List<Throwable> chain) {
        for (Throwable t : chain) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return t;
            }
            String m = String.valueOf(t.getMessage());
            // Angus reports these as plain MessagingExceptions / IOExceptions, with only the text to tell.
            if ((t instanceof MessagingException || t instanceof IOException)
                    && (m.contains("STARTTLS required")
                            || m.contains("STLS required")
                            || m.contains("Server identity does not match"))) {
                return t;
            }
        }
        return null;
    }

    private static String tlsDetail(Throwable tls, String where) {
        String m = String.valueOf(tls.getMessage());
        if (m.contains("STARTTLS required") || m.contains("STLS required")) {
            return "server " + where + " does not offer STARTTLS, which this account requires";
        }
        return "TLS handshake with " + where + " failed" + serverSays(m);
    }

    /** Angus's IMAP reports end-of-stream as a plain IOException with this text. */
    private static boolean droppedByServer(List<Throwable> chain) {
        for (Throwable t : chain) {
            if (t instanceof IOException && String.valueOf(t.getMessage()).startsWith("Connection dropped by server")) {
                return true;
            }
        }
        return false;
    }

    private static Throwable firstBug(List<Throwable> chain) {
        for (Throwable t : chain) {
            if (t instanceof RuntimeException || t instanceof Error) {
                return t;
            }
        }
        return null;
    }

    /** The innermost message, usually the closest to what the server actually said. */
    private static String mostSpecificMessage(List<Throwable> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            String m = chain.get(i).getMessage();
            if (m != null && !m.isBlank()) {
                return m;
            }
        }
        return null;
    }

    private static String addressIn(List<Throwable> chain) {
        MailConnectException mce = find(chain, MailConnectException.class);
        if (mce != null && mce.getHost() != null) {
            return mce.getHost() + ":" + mce.getPort();
        }
        return "the mail server";
    }

    /** ": text" with the text made single-line and short, or "" when there is nothing to say. */
    private static String serverSays(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        String oneLine = text.replaceAll("[\\r\\n\\t]+", " ")
                .replaceAll("\\p{Cntrl}", "")
                .strip();
        if (oneLine.length() > MAX_SERVER_TEXT) {
            oneLine = oneLine.substring(0, MAX_SERVER_TEXT) + "...";
        }
        return oneLine.isEmpty() ? "" : ": " + oneLine;
    }

    /** Removes the password should a server (or a library) ever echo it. */
    private static String scrub(String detail, MailEndpoint endpoint) {
        if (endpoint == null || endpoint.password().length() < 3) {
            // Too short to replace without mangling ordinary words; a detail never quotes the login line.
            return detail;
        }
        return detail.replace(endpoint.password(), "****");
    }
}
