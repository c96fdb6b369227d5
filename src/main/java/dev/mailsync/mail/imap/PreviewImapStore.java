package dev.mailsync.mail.imap;

import jakarta.mail.FetchProfile;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.FetchItem;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.util.MailLogger;

/**
 * Angus's IMAP store, except that its connections also understand the RFC 8970 {@code PREVIEW} fetch item.
 * Angus silently drops a whole FETCH response that carries an item it does not know, so without this a
 * {@code UID FETCH ... (... PREVIEW)} would lose the envelope too. Serves both {@code imap} and {@code
 * imaps}; {@link ImapConnection} registers it as the session's provider. Public only because Jakarta Mail
 * creates stores by reflection.
 */
public final class PreviewImapStore extends IMAPStore {
    /** The name of the fetch item, and the key of its value in {@link FetchResponse#getExtensionItems()}. */
    static final String PREVIEW = "PREVIEW";

    private static final FetchItem[] FETCH_ITEMS = {new PreviewItem()};

    public PreviewImapStore(Session session, URLName url) {
        super(session, url, isSsl(url) ? "imaps" : "imap", isSsl(url));
        // Angus names its loggers after the store's package, which would put its protocol trace (message
        // data at FINEST) under dev.mailsync; keep it under Angus's own name as with the stock store.
        logger = new MailLogger(IMAPStore.class, "DEBUG IMAP", session.getDebug(), session.getDebugOut());
    }

    private static boolean isSsl(URLName url) {
        return url != null && "imaps".equalsIgnoreCase(url.getProtocol());
    }

    @Override
    protected IMAPProtocol newIMAPProtocol(String host, int port) throws IOException, ProtocolException {
        return new PreviewProtocol(name, host, port, session.getProperties(), isSSL, logger);
    }

    /** The protocol with one more fetch item; everything else is Angus's. */
    static final class PreviewProtocol extends IMAPProtocol {
        PreviewProtocol(String name, String host, int port, Properties props, boolean isSsl, MailLogger logger)
                throws IOException, ProtocolException {
            super(name, host, port, props, isSsl, logger);
        }

        @Override
        public FetchItem[] getFetchItems() {
            return FETCH_ITEMS;
        }
    }

    /**
     * {@code PREVIEW nstring}: the text as a String (UTF-8 per RFC 8970), or null for NIL. Parsed into the
     * response's extension items under {@value #PREVIEW}.
     */
    static final class PreviewItem extends FetchItem {
        PreviewItem() {
            super(PREVIEW, new ProfileItem());
        }

        @Override
        public Object parseItem(FetchResponse r) {
            r.skipSpaces();
            ByteArray bytes = r.readByteArray();
            if (bytes == null) {
                return null;
            }
            return new String(bytes.getBytes(), bytes.getStart(), bytes.getCount(), StandardCharsets.UTF_8);
        }
    }

    /** So that a FetchProfile could ask IMAPFolder.fetch for the preview too. */
    static final class ProfileItem extends FetchProfile.Item {
        ProfileItem() {
            super(PREVIEW);
        }
    }
}
