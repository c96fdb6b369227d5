package dev.mailsync.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fills a mailbox fast: one plain IMAP connection, MULTIAPPEND (RFC 3502) with non-synchronizing
 * literals (RFC 7888), so a batch of messages is one command, one round trip and one mailbox
 * transaction on the server. Jakarta Mail appends one message per command, an order of magnitude slower.
 */
public final class ImapAppender {
    private static final int BATCH = 250;

    private ImapAppender() {}

    public static void append(
            String host, int port, String user, String password, String folder, List<byte[]> messages) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(60_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String greeting = readLine(in);
            if (!greeting.startsWith("* OK")) {
                throw new IllegalStateException("unexpected IMAP greeting: " + greeting);
            }
            command(in, out, "a0", "LOGIN " + quoted(user) + " " + quoted(password));
            String capabilities = command(in, out, "a1", "CAPABILITY");
            if (!capabilities.contains("MULTIAPPEND") || !capabilities.contains("LITERAL+")) {
                throw new IllegalStateException("the server lacks MULTIAPPEND or LITERAL+: " + capabilities);
            }
            int tag = 2;
            for (int from = 0; from < messages.size(); from += BATCH) {
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                request.writeBytes(("a" + tag + " APPEND " + quoted(folder)).getBytes(StandardCharsets.US_ASCII));
                for (byte[] message : messages.subList(from, Math.min(messages.size(), from + BATCH))) {
                    request.writeBytes((" {" + message.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
                    request.writeBytes(message);
                }
                request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(request.toByteArray());
                out.flush();
                awaitTagged(in, "a" + tag);
                tag++;
            }
            command(in, out, "a" + tag, "LOGOUT");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + user + "/" + folder + " on " + host + ":" + port, e);
        }
    }

    /** Sends one command; returns its untagged answers, throws unless it ends with OK. */
    private static String command(InputStream in, OutputStream out, String tag, String command) throws IOException {
        out.write((tag + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return awaitTagged(in, tag);
    }

    private static String awaitTagged(InputStream in, String tag) throws IOException {
        StringBuilder untagged = new StringBuilder();
        while (true) {
            String line = readLine(in);
            if (line.startsWith(tag + " ")) {
                if (!line.startsWith(tag + " OK")) {
                    throw new IllegalStateException("IMAP command " + tag + " failed: " + line);
                }
                return untagged.toString();
            }
            untagged.append(line).append('\n');
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("IMAP server closed the connection");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
