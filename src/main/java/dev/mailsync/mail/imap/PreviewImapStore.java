package dev.mailsync.mail.imap;

import jakarta.mail.FetchProfile;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.iap.ResponseInputStream;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.FetchItem;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
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

    /**
     * The protocol with one more fetch item, and {@link #fetchParsed}: a command whose FETCH responses are
     * read and parsed by mailsync rather than by Angus. Everything else is Angus's.
     */
    static final class PreviewProtocol extends IMAPProtocol {
        PreviewProtocol(String name, String host, int port, Properties props, boolean isSsl, MailLogger logger)
                throws IOException, ProtocolException {
            super(name, host, port, props, isSsl, logger);
        }

        @Override
        public FetchItem[] getFetchItems() {
            return FETCH_ITEMS;
        }

        /** Whether {@link #fetchParsed} can reach the bytes (else the caller lets Angus parse). */
        boolean canReadRaw() {
            return RESPONSE_STREAM != null && bufferedStream() != null;
        }

        private BufferedInputStream bufferedStream() {
            ResponseInputStream ris = getInputStream();
            return ris == null || RESPONSE_STREAM == null ? null : (BufferedInputStream) RESPONSE_STREAM.get(ris);
        }

        /**
         * Sends the command and reads its responses like {@code Protocol.command} does, except that the
         * untagged FETCH responses are framed by {@link ImapResponseReader} straight from Angus's buffered
         * stream and parsed by {@link FetchParser}; each parsed one goes to {@code sink}, one that cannot be
         * parsed is dropped (as Angus drops it). Returns the other responses as Angus would have returned
         * them: untagged ones, the tagged result, a BYE (real, or made up for an I/O failure) last. The
         * stream is left right after the tagged result, where Angus goes on reading.
         */
        synchronized Response[] fetchParsed(String command, Consumer<FetchParser.Fetch> sink) {
            List<Response> out = new ArrayList<>();
            String tag;
            try {
                tag = writeCommand(command, null);
            } catch (Exception e) {
                out.add(Response.byeResponse(e));
                return out.toArray(Response[]::new);
            }
            Response bye = null;
            try {
                ImapResponseReader reader = new ImapResponseReader(bufferedStream());
                FetchParser parser = new FetchParser(supportsUtf8(), isStrict());
                boolean done = false;
                while (!done) {
                    reader.next();
                    int length = reader.lengthWithoutLineEnd();
                    int seq = FetchParser.fetchNumber(reader.bytes(), length);
                    if (seq >= 0) {
                        parsed(reader, parser, length, seq, sink);
                        continue;
                    }
                    Response r;
                    try {
                        r = ExactResponse.of(reader.bytes(), length, supportsUtf8());
                    } catch (ProtocolException e) {
                        logger.log(Level.FINE, "ignoring bad response");
                        continue;
                    }
                    if (r.isBYE()) {
                        bye = r;
                        continue;
                    }
                    out.add(r);
                    if (r.isTagged() && tag.equals(r.getTag())) {
                        done = true;
                    }
                }
                reader.release();
            } catch (IOException e) {
                if (bye == null) {
                    bye = Response.byeResponse(e);
                }
            } catch (RuntimeException e) {
                // A fault of ours: where the stream stands is unknown, so the connection must not be used on.
                disconnect();
                if (bye == null) {
                    bye = Response.byeResponse(e);
                }
            }
            if (bye != null) {
                out.add(bye);
            }
            if (TIMESTAMP != null) {
                TIMESTAMP.setVolatile(this, System.currentTimeMillis());
            }
            return out.toArray(Response[]::new);
        }

        private void parsed(
                ImapResponseReader reader, FetchParser parser, int length, int seq, Consumer<FetchParser.Fetch> sink) {
            if (reader.oversized()) {
                logger.log(Level.FINE, "ignoring an oversized FETCH response");
                return;
            }
            FetchParser.Fetch fetch;
            try {
                fetch = parser.parse(reader.bytes(), length, seq);
            } catch (FetchParser.Malformed | RuntimeException e) {
                // Angus drops such a response too; the caller notices the message is missing.
                logger.log(Level.FINE, "ignoring a FETCH response that cannot be parsed");
                return;
            }
            sink.accept(fetch);
        }
    }

    /** Angus's {@code ResponseInputStream.bin}, its buffered stream over the socket; null if unreachable. */
    private static final VarHandle RESPONSE_STREAM = field(ResponseInputStream.class, "bin", BufferedInputStream.class);

    /** Angus's {@code Protocol.timestamp}, the time of the last command; null if unreachable. */
    private static final VarHandle TIMESTAMP =
            field(org.eclipse.angus.mail.iap.Protocol.class, "timestamp", long.class);

    private static VarHandle field(Class<?> owner, String name, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * An Angus response built from the exact bytes of a response read by {@link ImapResponseReader}: Angus
     * parses an ISO-8859-1 copy (one byte per char, so every offset is the same) and the original bytes
     * are put back, so its texts read as if Angus had read the stream itself.
     */
    static final class ExactResponse extends IMAPResponse {
        private ExactResponse(IMAPResponse parsed, byte[] exact, boolean utf8) {
            super(parsed);
            this.buffer = exact;
            this.utf8 = utf8;
        }

        static IMAPResponse of(byte[] bytes, int length, boolean utf8) throws ProtocolException {
            try {
                IMAPResponse parsed =
                        new IMAPResponse(new String(bytes, 0, length, StandardCharsets.ISO_8859_1), false);
                return new ExactResponse(parsed, Arrays.copyOf(bytes, length), utf8);
            } catch (IOException e) {
                throw new ProtocolException("cannot parse a response", e);
            }
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
