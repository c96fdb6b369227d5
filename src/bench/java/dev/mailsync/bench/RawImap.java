package dev.mailsync.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-socket IMAP client for the benchmark: the floor the service is compared with, and "another
 * client" that changes the mailbox. It sends a command and reads bytes until the command's tagged
 * response; it does not parse responses, it only finds line ends and skips literals ({@code {n}}), so a
 * message text that happens to contain the tag cannot end a command early. Untagged lines are collected
 * only when asked for (SEARCH answers); a FETCH of a whole mailbox is counted, not kept.
 */
final class RawImap implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private static final int MAX_LINE = 64 << 20;

    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private int lineStart;
    private long bytesRead;
    private int tags;

    /** What one command got back: the tagged line, untagged lines if collected, bytes and time. */
    record Result(String tagged, List<String> untagged, long bytes, long nanos) {
        boolean ok() {
            int space = tagged.indexOf(' ');
            return space > 0 && tagged.startsWith("OK", space + 1);
        }

        Result requireOk(String what) {
            if (!ok()) {
                throw new IllegalStateException(what + " answered: " + tagged);
            }
            return this;
        }

        double millis() {
            return nanos / 1e6;
        }
    }

    private RawImap(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects and reads the greeting. */
    static RawImap connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setReceiveBufferSize(1 << 20);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(600_000);
        RawImap imap = new RawImap(socket);
        // The greeting is the one untagged line sent unasked: read it as if "*" were its tag.
        String greeting = imap.readResponse("* ".getBytes(StandardCharsets.US_ASCII), null);
        if (!greeting.startsWith("* OK")) {
            imap.close();
            throw new IOException("unexpected IMAP greeting: " + greeting);
        }
        return imap;
    }

    /** Connects, LOGIN, EXAMINE (read-only SELECT, as the service opens folders) of that folder. */
    static RawImap examine(String host, int port, String user, String password, String folder) throws IOException {
        RawImap imap = connect(host, port);
        imap.login(user, password);
        imap.command("EXAMINE " + quote(folder), false).requireOk("EXAMINE");
        return imap;
    }

    void login(String user, String password) throws IOException {
        command("LOGIN " + quote(user) + " " + quote(password), false).requireOk("LOGIN");
    }

    /** Sends {@code <tag> command} and reads until its tagged response. */
    Result command(String command, boolean collect) throws IOException {
        return send(nextTag(), command.getBytes(StandardCharsets.UTF_8), null, collect);
    }

    /** The same for a line that already carries a tag (a recorded conversation replayed). */
    Result tagged(String tag, String rest, boolean collect) throws IOException {
        return send(tag, rest.getBytes(StandardCharsets.UTF_8), null, collect);
    }

    /** APPEND with a non-synchronizing literal (RFC 7888 LITERAL+): one round trip. */
    Result append(String folder, String flags, byte[] crlfMessage) throws IOException {
        byte[] head = ("APPEND " + quote(folder) + (flags == null ? "" : " (" + flags + ")") + " {" + crlfMessage.length
                        + "+}\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        return send(nextTag(), head, crlfMessage, false).requireOk("APPEND");
    }

    /** The numbers of the untagged {@code * SEARCH} answer(s) to a UID SEARCH. */
    List<Long> uidSearch(String criteria) throws IOException {
        Result r = command("UID SEARCH " + criteria, true).requireOk("UID SEARCH");
        List<Long> uids = new ArrayList<>();
        for (String line : r.untagged()) {
            if (line.startsWith("* SEARCH")) {
                for (String n : line.substring("* SEARCH".length()).trim().split(" ")) {
                    if (!n.isEmpty()) {
                        uids.add(Long.parseLong(n));
                    }
                }
            }
        }
        return uids;
    }

    long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() {
        try {
            command("LOGOUT", false);
        } catch (IOException | RuntimeException ignored) {
            // Closing anyway.
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing left to do.
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private String nextTag() {
        return "r" + (++tags);
    }

    private Result send(String tag, byte[] command, byte[] literal, boolean collect) throws IOException {
        long before = bytesRead;
        long started = System.nanoTime();
        ByteArrayOutputStream line = new ByteArrayOutputStream(command.length + tag.length() + 3);
        line.write(tag.getBytes(StandardCharsets.US_ASCII));
        line.write(' ');
        line.write(command);
        if (literal == null) {
            line.write('\r');
            line.write('\n');
        } else {
            line.write(literal);
            line.write('\r');
            line.write('\n');
        }
        out.write(line.toByteArray());
        out.flush();
        byte[] tagBytes = (tag + " ").getBytes(StandardCharsets.US_ASCII);
        List<String> untagged = collect ? new ArrayList<>() : List.of();
        while (true) {
            String tagged = readResponse(tagBytes, collect ? untagged : null);
            if (tagged != null) {
                return new Result(tagged, untagged, bytesRead - before, System.nanoTime() - started);
            }
        }
    }

    /**
     * Reads one response line (with any literals inside it). Returns it when it is the tagged one, else
     * null (adding it to {@code untagged} when given).
     */
    private String readResponse(byte[] tag, List<String> untagged) throws IOException {
        boolean keep = untagged != null;
        StringBuilder text = keep ? new StringBuilder() : null;
        boolean first = true;
        boolean isTagged = false;
        while (true) {
            int end = findLineEnd();
            int start = lineStart;
            // [start, end) is the line without CRLF; pos is after it.
            if (first) {
                isTagged = startsWith(start, end, tag);
                first = false;
                if (isTagged) {
                    keep = true;
                    text = new StringBuilder();
                }
            }
            if (keep) {
                text.append(new String(buf, start, end - start, StandardCharsets.UTF_8));
            }
            long literal = literalLength(start, end);
            if (literal < 0) {
                break;
            }
            skip(literal, keep ? text : null);
        }
        if (isTagged) {
            return text.toString();
        }
        if (untagged != null) {
            untagged.add(text.toString());
        }
        return null;
    }

    /**
     * Moves pos past the next LF and sets lineStart; returns the index of the line's end (before CR LF).
     * The buffer may be compacted meanwhile, so the line's start is only known afterwards.
     */
    private int findLineEnd() throws IOException {
        int scanFrom = pos;
        while (true) {
            for (int i = scanFrom; i < lim; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    lineStart = pos;
                    pos = i + 1;
                    return end;
                }
            }
            // No LF in the buffer: move the partial line to the front (growing the buffer for a long line,
            // such as the SEARCH answer of a big mailbox) and read more.
            int partial = lim - pos;
            if (partial == buf.length) {
                if (buf.length >= MAX_LINE) {
                    throw new IOException("response line longer than " + MAX_LINE + " bytes");
                }
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            System.arraycopy(buf, pos, buf, 0, partial);
            pos = 0;
            lim = partial;
            scanFrom = partial;
            fill();
        }
    }

    private void fill() throws IOException {
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            throw new IOException("the server closed the connection");
        }
        lim += n;
        bytesRead += n;
    }

    /** {@code {n}} at the end of the line: n; otherwise -1. */
    private long literalLength(int start, int end) {
        if (end - start < 3 || buf[end - 1] != '}') {
            return -1;
        }
        long n = 0;
        int i = end - 2;
        long scale = 1;
        while (i > start && buf[i] >= '0' && buf[i] <= '9') {
            n += (buf[i] - '0') * scale;
            scale *= 10;
            i--;
        }
        return buf[i] == '{' && i < end - 2 ? n : -1;
    }

    private void skip(long n, StringBuilder keep) throws IOException {
        while (n > 0) {
            if (pos == lim) {
                pos = 0;
                lim = 0;
                fill();
            }
            int take = (int) Math.min(n, lim - pos);
            if (keep != null) {
                keep.append(new String(buf, pos, take, StandardCharsets.UTF_8));
            }
            pos += take;
            n -= take;
        }
    }

    private boolean startsWith(int start, int end, byte[] prefix) {
        if (end - start < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf[start + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
