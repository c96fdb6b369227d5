package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailFailures;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Protocol;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Provider;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.ResyncData;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.jboss.logging.Logger;

/**
 * The session under an {@link ImapConnection}: one logged-in IMAP store and its capabilities, the one
 * folder open on it at a time (read-only for reading, read-write for a device's change), a second
 * connection opened lazily for QRESYNC only, and the hand-over of untagged responses to Angus. The feature
 * classes ({@link ImapChanges}, {@link ImapSummaries}, {@link ImapBodies}, {@link ImapWriteBack}) send
 * their commands through it. Not thread-safe, as the connection.
 */
final class ImapSession implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ImapConnection.class);

    final MailEndpoint endpoint;
    final IMAPStore store;
    final Set<String> capabilities;
    /** Whether the store parses PREVIEW and lets {@link FetchParser} read FETCH responses in bulk. */
    final boolean previewParsing;

    private final MailSessions sessions;
    private IMAPFolder folder;
    private boolean closed;
    /** A second connection that does only QRESYNC, in raw commands (see {@link ImapChanges#qresync}); opened lazily. */
    private Store qresyncStore;

    private ImapSession(MailSessions sessions, MailEndpoint endpoint, IMAPStore store, Set<String> capabilities) {
        this.sessions = sessions;
        this.endpoint = endpoint;
        this.store = store;
        this.capabilities = capabilities;
        this.previewParsing = store instanceof PreviewImapStore;
    }

    /**
     * Connects and logs in.
     *
     * @throws IllegalArgumentException if the endpoint is not IMAP
     * @throws MailAccessException if the server cannot be reached or refuses the login
     */
    static ImapSession open(MailSessions sessions, MailEndpoint endpoint) throws MailAccessException {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.protocol() != Protocol.IMAP) {
            throw new IllegalArgumentException("not an IMAP endpoint: " + endpoint);
        }
        Properties props = sessions.properties(endpoint);
        Session session = Session.getInstance(props);
        session.setDebug(false);
        String protocol = MailSessions.storeProtocol(endpoint);
        try {
            session.setProvider(
                    new Provider(Provider.Type.STORE, protocol, PreviewImapStore.class.getName(), "mailsync", "1"));
        } catch (NoSuchProviderException e) {
            throw new MailAccessException(FailureCode.INTERNAL, "cannot register the IMAP store", e);
        }
        Store store = sessions.connect(endpoint, session);
        if (!(store instanceof IMAPStore imap)) {
            closeQuietly(store);
            throw new MailAccessException(
                    FailureCode.INTERNAL,
                    "Jakarta Mail returned " + store.getClass().getName() + " for IMAP");
        }
        try {
            return new ImapSession(sessions, endpoint, imap, readCapabilities(imap));
        } catch (MessagingException | RuntimeException e) {
            closeQuietly(store);
            throw MailFailures.classify(e, endpoint);
        }
    }

    /**
     * Whether the server has CONDSTORE (RFC 7162), announced directly or through QRESYNC, which implies it.
     */
    boolean hasCondstore() {
        return capabilities.contains("CONDSTORE") || capabilities.contains("QRESYNC");
    }

    /** The folder to send a command that needs no open folder through: the open one, or the root. */
    IMAPFolder commandFolder() throws MessagingException {
        return folder != null && folder.isOpen() ? folder : (IMAPFolder) store.getDefaultFolder();
    }

    /** Records {@code f} as the one folder open on the connection (the caller opened it). */
    void opened(IMAPFolder f) {
        folder = f;
    }

    /** Closes the open folder if it is {@code name}. */
    void closeFolderIfNamed(String name) {
        if (folder != null && folder.isOpen() && sameName(folder.getFullName(), name)) {
            closeFolder();
        }
    }

    /**
     * Hands the untagged responses that are not FETCH results to Angus (EXISTS, EXPUNGE, BYE, response
     * codes) and throws for a BAD or BYE result, and for NO unless {@code noIsPartial}: a UID FETCH may end
     * in NO when some of the messages were expunged meanwhile (RFC 2180 §4.1), and what did come is still
     * good. FETCH responses are not handed over: Angus would create a cached message object for each.
     */
    static void finish(IMAPProtocol p, Response[] responses, boolean noIsPartial) throws ProtocolException {
        List<Response> others = new ArrayList<>();
        for (Response r : responses) {
            if (!(r instanceof FetchResponse)) {
                others.add(r);
            }
        }
        p.notifyResponseHandlers(others.toArray(Response[]::new));
        Response result = responses[responses.length - 1];
        if (noIsPartial && result.isNO()) {
            LOG.debug("UID FETCH answered NO; keeping the partial result");
            return;
        }
        p.handleResult(result);
    }

    /**
     * The folder, opened read-only. An open folder of the same name is reused unless {@code fresh} asks for
     * a new EXAMINE (the only way to learn a current UIDNEXT and HIGHESTMODSEQ). With CONDSTORE the
     * EXAMINE carries the CONDSTORE parameter, so the server reports HIGHESTMODSEQ.
     */
    IMAPFolder examine(String name, boolean fresh) throws MessagingException {
        if (folder != null && folder.isOpen() && sameName(folder.getFullName(), name) && !fresh) {
            return folder;
        }
        closeFolder();
        IMAPFolder f = (IMAPFolder) store.getFolder(name);
        if (capabilities.contains("CONDSTORE")) {
            f.open(Folder.READ_ONLY, ResyncData.CONDSTORE);
        } else {
            f.open(Folder.READ_ONLY);
        }
        folder = f;
        return f;
    }

    static boolean sameName(String open, String wanted) {
        return open.equals(wanted) || ("INBOX".equalsIgnoreCase(open) && "INBOX".equalsIgnoreCase(wanted));
    }

    void closeFolder() {
        IMAPFolder f = folder;
        folder = null;
        if (f != null && f.isOpen()) {
            try {
                f.close(false);
            } catch (MessagingException | RuntimeException ignored) {
                // The connection is gone or going; the next command reports it.
            }
        }
    }

    private static void closeQuietly(Store store) {
        try {
            store.close();
        } catch (MessagingException | RuntimeException ignored) {
            // Closing: nothing left to report to.
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the IMAP connection to " + endpoint.address() + " is closed");
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> readCapabilities(IMAPStore store) throws MessagingException {
        IMAPFolder root = (IMAPFolder) store.getDefaultFolder();
        Map<String, String> map = (Map<String, String>) root.doCommand(IMAPProtocol::getCapabilities);
        Set<String> names = new TreeSet<>();
        if (map != null) {
            for (String key : map.keySet()) {
                // Angus keeps private markers such as __PRELOGIN__ in the map.
                if (!key.startsWith("__")) {
                    names.add(key.toUpperCase(Locale.ROOT));
                }
            }
        }
        return Collections.unmodifiableSet(names);
    }

    Store qresyncStore() throws MailAccessException, MessagingException {
        if (qresyncStore == null) {
            Session session = Session.getInstance(sessions.properties(endpoint));
            Store second = sessions.connect(endpoint, session);
            try {
                ((IMAPFolder) second.getDefaultFolder()).doCommand(p -> {
                    Response[] r = p.command("ENABLE QRESYNC", null);
                    p.handleResult(r[r.length - 1]);
                    return null;
                });
            } catch (MessagingException | RuntimeException e) {
                closeQuietly(second);
                throw e;
            }
            qresyncStore = second;
        }
        return qresyncStore;
    }

    /** Closes the open folder (if any) and logs out. Never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeFolder();
        closeQuietly(store);
        if (qresyncStore != null) {
            closeQuietly(qresyncStore);
        }
    }
}
