package dev.mailsync.mail.pop3;

import dev.mailsync.mail.MailAccessException;
import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.mail.MailFailures;
import dev.mailsync.mail.MailSessions;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Pop3Planner;
import dev.mailsync.sync.Security;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.net.SocketFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small RFC 1939 POP3 client (CAPA from RFC 2449, STLS from RFC 2595, AUTH PLAIN from RFC 5034) over
 * the service's guarded socket factory and timeouts, taken from {@link MailSessions#properties(MailEndpoint)},
 * so the SSRF guard, the plaintext rule and every timeout apply exactly as for Angus.
 *
 * <p>Why not Angus's POP3 store: it sends DELE only inside {@code Folder.close}, together with QUIT, and
 * does not tell whether QUIT was answered {@code +OK} — but a deletion counts only after a clean QUIT,
 * and mailsync must know that to record it. Its RETR also holds the whole message in memory unless a
 * file cache is configured, and it hides a failed UIDL (a server without UIDL must fail loudly). This
 * client streams RETR straight into the caller's {@link OutputStream}, reports each command's answer and
 * never logs the password. With the server's {@code PIPELINING} capability (RFC 2449) the RETRs a caller
 * announces ({@link #willRetrieve}) are sent a few ahead of the one being read. Not thread-safe: one
 * session, one thread.
 */
public final class Pop3Client implements AutoCloseable {
    private static final int MAX_STATUS_LINE = 8 * 1024;
    private static final int LOGIN_WAIT_MILLIS = 15_000;

    /**
     * RETR commands sent ahead of the answer being read, with PIPELINING. Enough to keep the server busy
     * while a message is parsed; few enough that an abandoned session leaves little unread behind.
     */
    static final int PIPELINE_WINDOW = 16;

    private final MailEndpoint endpoint;
    private Socket socket;
    private LineInput in;
    private OutputStream out;
    private Set<String> capabilities = Set.of();
    /** The mechanisms of CAPA's SASL line (upper case); empty without one. */
    private Set<String> saslMechanisms = Set.of();
    /** Announced RETRs not sent yet, and those sent whose answers are not read yet (both in order). */
    private final ArrayDeque<Integer> retrAnnounced = new ArrayDeque<>();

    private final ArrayDeque<Integer> retrSent = new ArrayDeque<>();

    private Pop3Client(MailEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** The maildrop's size as STAT answers it. */
    public record Stat(int count, long sizeBytes) {}

    /** Thrown for a {@code -ERR} answer; {@link #getMessage()} is the server's text. */
    public static final class ErrResponse extends Exception {
        private ErrResponse(String text) {
            super(text);
        }
    }

    /**
     * Connects, reads the greeting, asks CAPA, upgrades with STLS when the endpoint says STARTTLS, and
     * logs in with USER/PASS.
     *
     * @throws MailAccessException AUTH_FAILED for a refused login, PROTOCOL_ERROR for a mailbox locked by
     *     another session ({@code [IN-USE]}), TLS_FAILED, HOST_UNREACHABLE, TIMEOUT as classified
     */
    public static Pop3Client open(MailSessions sessions, MailEndpoint endpoint) throws MailAccessException {
        Properties props = sessions.properties(endpoint);
        String prefix = "mail." + MailSessions.storeProtocol(endpoint);
        SocketFactory factory = (SocketFactory) props.get(prefix + ".socketFactory");
        int readTimeout = Integer.parseInt(props.getProperty(prefix + ".timeout"));
        Pop3Client client = new Pop3Client(endpoint);
        try {
            Socket plain = factory.createSocket(endpoint.host(), endpoint.port());
            plain.setSoTimeout(readTimeout);
            client.attach(endpoint.security() == Security.TLS ? tls(plain, endpoint) : plain);
            client.expectOk(client.readStatus(), "greeting");
            client.capabilities = client.capa();
            if (endpoint.security() == Security.STARTTLS) {
                if (!client.capabilities.contains("STLS")) {
                    throw new MailAccessException(
                            FailureCode.TLS_FAILED,
                            "server " + endpoint.address() + " does not offer STLS, which this account requires");
                }
                client.expectOk(client.command("STLS"), "STLS");
                client.attach(tls(client.socket, endpoint));
                client.capabilities = client.capa();
            }
            client.login();
            return client;
        } catch (MailAccessException e) {
            client.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw MailFailures.classify(e, endpoint);
        }
    }

    /** TLS over the guarded socket, trusting what every mail connection trusts ({@code MailTrust}). */
    private static Socket tls(Socket plain, MailEndpoint endpoint) throws IOException {
        SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(plain, endpoint.host(), endpoint.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // certificate must name the host
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(plain.getSoTimeout());
        ssl.startHandshake();
        return ssl;
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new LineInput(s.getInputStream());
        this.out = s.getOutputStream();
    }

    /** The CAPA list (upper case, first word of each line); empty when the server has no CAPA. */
    public Set<String> capabilities() {
        return capabilities;
    }

    private Set<String> capa() throws IOException, MailAccessException {
        String status = command("CAPA");
        saslMechanisms = Set.of();
        if (!status.startsWith("+OK")) {
            return Set.of();
        }
        Set<String> caps = new LinkedHashSet<>();
        for (String line : multiLine()) {
            String[] words = line.strip().toUpperCase(Locale.ROOT).split("\\s+");
            if (words[0].isEmpty()) {
                continue;
            }
            caps.add(words[0]);
            if (words[0].equals("SASL")) {
                saslMechanisms = Set.of(java.util.Arrays.copyOfRange(words, 1, words.length));
            }
        }
        return caps;
    }

    /**
     * USER/PASS, or — when the server's CAPA lists SASL PLAIN but not USER (a server that turned the
     * USER command off) — AUTH PLAIN (RFC 5034), the credentials sent after the server's "+" prompt. Either
     * way the password is never logged and never part of an error.
     */
    private void login() throws IOException, MailAccessException {
        boolean sasl = !capabilities.contains("USER") && saslMechanisms.contains("PLAIN");
        if (!sasl) {
            String user = command("USER " + endpoint.username());
            if (!user.startsWith("+OK")) {
                throw refused(user);
            }
        }
        // A server may wait for the maildrop lock before it answers PASS (Dovecot waits 10 s, then says
        // [IN-USE]): give PASS at least LOGIN_WAIT, so a lock reads as a lock and not as a timeout.
        int readTimeout = socket.getSoTimeout();
        socket.setSoTimeout(Math.max(readTimeout, LOGIN_WAIT_MILLIS));
        String answer;
        try {
            answer = sasl ? authPlain() : command("PASS " + endpoint.password());
        } finally {
            socket.setSoTimeout(readTimeout);
        }
        if (!answer.startsWith("+OK")) {
            throw refused(answer);
        }
    }

    /** AUTH PLAIN with the credentials after the server's "+" prompt; the answer to them (or the refusal). */
    private String authPlain() throws IOException {
        String prompt = command("AUTH PLAIN");
        if (!prompt.startsWith("+")) {
            return prompt;
        }
        byte[] credentials = ("\0" + endpoint.username() + "\0" + endpoint.password()).getBytes(StandardCharsets.UTF_8);
        return command(java.util.Base64.getEncoder().encodeToString(credentials));
    }

    private MailAccessException refused(String answer) {
        String text = serverText(answer);
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.contains("[IN-USE]")) {
            return new MailAccessException(
                    FailureCode.PROTOCOL_ERROR,
                    "the maildrop at " + endpoint.address()
                            + " is locked by another POP3 session ([IN-USE]); mailsync will try again");
        }
        if (upper.contains("[SYS/TEMP]")) {
            return new MailAccessException(
                    FailureCode.PROTOCOL_ERROR, "server " + endpoint.address() + " has a temporary problem: " + text);
        }
        return new MailAccessException(
                FailureCode.AUTH_FAILED,
                "server rejected login for user " + endpoint.username() + (text.isEmpty() ? "" : ": " + text));
    }

    public Stat stat() throws MailAccessException {
        return io(() -> {
            String[] parts = expectOk(command("STAT"), "STAT").split("\\s+");
            try {
                return new Stat(Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
            } catch (RuntimeException e) {
                throw protocol("STAT answer is malformed");
            }
        });
    }

    /**
     * The maildrop's messages: UIDL and LIST joined by message number.
     *
     * @throws MailAccessException PROTOCOL_ERROR naming the missing UIDL when the server has none: without
     *     unique ids mailsync cannot tell new mail from old and would download duplicates
     */
    public List<Pop3Planner.Listed> listing() throws MailAccessException {
        return io(() -> {
            String uidlStatus = command("UIDL");
            if (!uidlStatus.startsWith("+OK")) {
                throw new MailAccessException(
                        FailureCode.PROTOCOL_ERROR,
                        "server " + endpoint.address() + " does not support UIDL (CAPA "
                                + (capabilities.contains("UIDL") ? "lists" : "lacks") + " UIDL; the UIDL command"
                                + " failed: " + serverText(uidlStatus) + "); mailsync needs unique ids to know"
                                + " which messages are new, and will not download duplicates");
            }
            Map<Integer, String> uidls = new HashMap<>();
            for (String line : multiLine()) {
                String[] p = line.strip().split("\\s+", 2);
                if (p.length != 2) {
                    throw protocol("UIDL line is malformed: " + abbreviate(line));
                }
                uidls.put(number(p[0]), p[1]);
            }
            expectOk(command("LIST"), "LIST");
            List<Pop3Planner.Listed> listed = new ArrayList<>();
            for (String line : multiLine()) {
                String[] p = line.strip().split("\\s+");
                if (p.length < 2) {
                    throw protocol("LIST line is malformed: " + abbreviate(line));
                }
                int n = number(p[0]);
                String uidl = uidls.get(n);
                if (uidl == null) {
                    throw protocol("message " + n + " is in LIST but not in UIDL");
                }
                listed.add(new Pop3Planner.Listed(n, uidl, Long.parseLong(p[1])));
            }
            return listed;
        });
    }

    /**
     * RETR: streams the message (dot-unstuffed, CRLF line ends) into {@code sink}.
     *
     * @return the number of bytes written, or -1 when the message turned out larger than {@code maxBytes}
     *     (the rest was read and dropped; {@code sink} then holds a partial message the caller discards)
     */
    public long retrieve(int number, OutputStream sink, long maxBytes) throws MailAccessException {
        return io(() -> {
            if (retrAnnounced.isEmpty() && retrSent.isEmpty()) {
                expectOk(command("RETR " + number), "RETR " + number);
            } else {
                Integer next = retrSent.isEmpty() ? retrAnnounced.peekFirst() : retrSent.peekFirst();
                if (next != number) {
                    throw new IllegalStateException(
                            "RETR " + number + " out of the announced order (next: " + next + ")");
                }
                sendAhead();
                retrSent.removeFirst();
                expectOk(readStatus(), "RETR " + number);
            }
            return in.copyDotTerminated(sink, maxBytes);
        });
    }

    /**
     * Announces the messages the caller will {@link #retrieve} next, in this order. When the server offers
     * PIPELINING (RFC 2449 §6.6), up to {@value #PIPELINE_WINDOW} of these RETRs are on their way before
     * the first answer is read, so the server reads the next messages while the caller handles this one;
     * without it nothing changes. The answers are read in order as the messages are retrieved; any other
     * command first reads (and drops) the answers still due, so the session stays in step.
     */
    public void willRetrieve(List<Integer> numbers) {
        if (!capabilities.contains("PIPELINING")) {
            return;
        }
        retrAnnounced.clear();
        retrAnnounced.addAll(numbers);
    }

    /** Sends announced RETRs until {@value #PIPELINE_WINDOW} are unanswered, in one write. */
    private void sendAhead() throws IOException {
        if (retrSent.size() >= PIPELINE_WINDOW || retrAnnounced.isEmpty()) {
            return;
        }
        ByteArrayOutputStream commands = new ByteArrayOutputStream();
        while (retrSent.size() < PIPELINE_WINDOW && !retrAnnounced.isEmpty()) {
            int n = retrAnnounced.removeFirst();
            commands.writeBytes(("RETR " + n + "\r\n").getBytes(StandardCharsets.US_ASCII));
            retrSent.addLast(n);
        }
        commands.writeTo(out);
        out.flush();
    }

    /**
     * Reads and drops the answers of RETRs sent ahead but never retrieved (the caller stopped early), and
     * forgets the rest of the announcement: the next answer read is the next command's.
     */
    private void settlePipeline() throws IOException {
        retrAnnounced.clear();
        while (!retrSent.isEmpty()) {
            retrSent.removeFirst();
            if (readStatus().startsWith("+OK")) {
                in.copyDotTerminated(OutputStream.nullOutputStream(), Long.MAX_VALUE);
            }
        }
    }

    /** DELE: marks the message; it goes only if the session ends with a clean {@link #quit()}. */
    public void delete(int number) throws MailAccessException {
        io(() -> expectOk(command("DELE " + number), "DELE " + number));
    }

    /**
     * QUIT, and the answer to it. Only {@code +OK} here means the server entered the UPDATE state and
     * removed the messages marked with DELE (RFC 1939 §6).
     */
    public void quit() throws MailAccessException {
        io(() -> expectOk(command("QUIT"), "QUIT"));
        close();
    }

    /** Closes the connection without QUIT: nothing marked with DELE is removed. */
    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do: the session is over either way
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Io<T> {
        T run() throws IOException, MailAccessException;
    }

    private <T> T io(Io<T> work) throws MailAccessException {
        try {
            return work.run();
        } catch (MailAccessException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw MailFailures.classify(e, endpoint);
        }
    }

    private String command(String line) throws IOException {
        settlePipeline();
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readStatus();
    }

    private String readStatus() throws IOException {
        byte[] line = in.readLine(MAX_STATUS_LINE);
        if (line == null) {
            throw new EOFException("server closed the connection");
        }
        return new String(line, StandardCharsets.UTF_8);
    }

    private String expectOk(String status, String what) throws MailAccessException {
        if (!status.startsWith("+OK")) {
            throw new MailAccessException(
                    FailureCode.PROTOCOL_ERROR,
                    "server " + endpoint.address() + " refused " + what + ": " + serverText(status));
        }
        return status;
    }

    private List<String> multiLine() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            byte[] raw = in.readLine(MAX_STATUS_LINE);
            if (raw == null) {
                throw new EOFException("server closed the connection in a multi-line answer");
            }
            String line = new String(raw, StandardCharsets.UTF_8);
            if (line.equals(".")) {
                return lines;
            }
            lines.add(line.startsWith(".") ? line.substring(1) : line);
        }
    }

    private MailAccessException protocol(String detail) {
        return new MailAccessException(FailureCode.PROTOCOL_ERROR, "server " + endpoint.address() + ": " + detail);
    }

    private static int number(String s) {
        return Integer.parseInt(s);
    }

    private String serverText(String status) {
        String text = status.startsWith("-ERR") ? status.substring(4).strip() : status.strip();
        text = text.replace(endpoint.password(), "****");
        return abbreviate(text);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** Buffered byte input that reads CRLF (or bare LF) lines and dot-terminated bodies fast. */
    static final class LineInput {
        private static final byte[] CRLF = {'\r', '\n'};
        private final InputStream source;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int limit;

        LineInput(InputStream source) {
            this.source = source;
        }

        private boolean fill() throws IOException {
            if (pos < limit) {
                return true;
            }
            int n = source.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }

        /** One line without its line end, or null at end of stream; longer than {@code max}: an error. */
        byte[] readLine(int max) throws IOException {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(128);
            while (true) {
                if (!fill()) {
                    return line.size() == 0 ? null : eof();
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                line.write(buf, start, pos - start);
                if (line.size() > max) {
                    throw new IOException("line longer than " + max + " bytes");
                }
                if (pos < limit) {
                    pos++; // the LF
                    byte[] b = line.toByteArray();
                    int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                    return java.util.Arrays.copyOf(b, len);
                }
            }
        }

        private static byte[] eof() throws EOFException {
            throw new EOFException("connection closed in the middle of a line");
        }

        /**
         * Copies a dot-terminated multi-line body to {@code sink}, undoing dot-stuffing and writing CRLF
         * line ends. Returns the bytes written, or -1 if they would exceed {@code max} (then the rest is
         * read and dropped, so the session stays usable).
         */
        long copyDotTerminated(OutputStream sink, long max) throws IOException {
            long written = 0;
            boolean tooLarge = false;
            boolean lineStart = true;
            boolean pendingCr = false; // a CR at the end of a read: line end or data, the next byte tells
            while (true) {
                if (!fill()) {
                    throw new EOFException("connection closed during RETR");
                }
                if (lineStart) {
                    if (buf[pos] == '.') {
                        // ".\r\n" ends the body; "..x" is a stuffed ".x".
                        int next = peek(1);
                        if (next == '\r' || next == '\n') {
                            skipLineEnd();
                            return tooLarge ? -1 : written;
                        }
                        pos++;
                        if (!fill()) {
                            throw new EOFException("connection closed during RETR");
                        }
                    }
                    lineStart = false;
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                boolean eol = pos < limit;
                int len = pos - start;
                if (eol) {
                    pos++;
                    lineStart = true;
                    if (len > 0 && buf[start + len - 1] == '\r') {
                        len--;
                    } else if (len == 0 && pendingCr) {
                        pendingCr = false; // the held CR was this line's end
                    }
                }
                long add = (pendingCr ? 1 : 0) + len + (eol ? 2 : 0);
                boolean holdCr = !eol && len > 0 && buf[start + len - 1] == '\r';
                if (holdCr) {
                    len--;
                    add--;
                }
                if (!tooLarge && written + add > max) {
                    tooLarge = true;
                }
                if (!tooLarge) {
                    if (pendingCr) {
                        sink.write(CRLF, 0, 1);
                    }
                    sink.write(buf, start, len);
                    if (eol) {
                        sink.write(CRLF, 0, 2);
                    }
                    written += add;
                }
                pendingCr = holdCr;
            }
        }

        /** The byte {@code ahead} positions after pos, reading more if needed; -1 at end of stream. */
        private int peek(int ahead) throws IOException {
            if (pos + ahead >= limit) {
                // Move the rest to the front and read more.
                int rest = limit - pos;
                System.arraycopy(buf, pos, buf, 0, rest);
                pos = 0;
                limit = rest;
                while (limit <= ahead) {
                    int n = source.read(buf, limit, buf.length - limit);
                    if (n <= 0) {
                        return -1;
                    }
                    limit += n;
                }
            }
            return buf[pos + ahead] & 0xff;
        }

        private void skipLineEnd() throws IOException {
            // at '.', then optional CR, then LF
            pos++;
            if (fill() && buf[pos] == '\r') {
                pos++;
            }
            if (fill() && buf[pos] == '\n') {
                pos++;
            }
        }
    }
}
