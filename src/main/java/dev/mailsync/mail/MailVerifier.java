package dev.mailsync.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.pop3.POP3Store;

/** Logs in to an account's mail server once and reports what the server can do. */
public final class MailVerifier {
    private final MailSessions sessions;

    public MailVerifier(MailSessions sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    /**
     * Connects, logs in, reads the capabilities and logs out.
     *
     * @throws MailAccessException classified by {@link MailFailures}
     */
    public VerifyOutcome verify(MailEndpoint endpoint) throws MailAccessException {
        Store store = sessions.connect(endpoint);
        try {
            Map<String, String> capabilities = switch (store) {
                // After LOGIN, Angus holds the post-login CAPABILITY list (RFC 9051 §6.2.3: it may
                // differ from the greeting's), asking the server again if the OK did not carry it.
                case IMAPStore imap -> imapCapabilities(imap);
                // RFC 2449 CAPA, which Angus sends on connect.
                case POP3Store pop3 -> pop3.capabilities();
                default -> throw new IllegalStateException("unexpected store " + store.getClass());
            };
            return new VerifyOutcome(endpoint.protocol(), names(capabilities));
        } catch (MessagingException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        } finally {
            MailSessions.closeQuietly(store);
        }
    }

    /**
     * The capability map of the store's connection. IMAPStore only offers hasCapability, so this asks the
     * store's own protocol object through a folder that is not opened (no extra round trip).
     */
    private static Map<String, String> imapCapabilities(IMAPStore store) throws MessagingException {
        IMAPFolder root = (IMAPFolder) store.getDefaultFolder();
        Object result = root.doCommand(protocol -> protocol.getCapabilities());
        @SuppressWarnings("unchecked")
        Map<String, String> map = (Map<String, String>) result;
        return map;
    }

    private static List<String> names(Map<String, String> capabilities) {
        if (capabilities == null) {
            return List.of();
        }
        return capabilities.keySet().stream()
                // Angus keeps private markers such as __PRELOGIN__ in the IMAP map.
                .filter(name -> !name.startsWith("__"))
                .map(name -> name.toUpperCase(Locale.ROOT))
                .distinct()
                .sorted()
                .toList();
    }
}
