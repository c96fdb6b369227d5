package dev.mailsync.mail.imap;

import dev.mailsync.mail.MailEndpoint;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted IMAP server for what real servers will not do on demand (a broken ENVELOPE) and for checking
 * the exact commands sent. Handles the greeting, CAPABILITY, LOGIN, NOOP, CLOSE, UNSELECT and LOGOUT
 * itself (CLOSE, UNSELECT and NOOP are still recorded); any other command goes to the script, which returns
 * the untagged lines (CRLF-terminated) or null for "BAD unknown". The tagged OK is added; an answer that
 * ends in a line starting with {@code TAG } has that tag replaced by the command's tag and no OK added.
 */
final class FakeImapServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Function<String, String> script;
    private final String capabilities;
    private final Thread thread;

    FakeImapServer(Function<String, String> script) throws IOException {
        this("IMAP4rev1 UIDPLUS", script);
    }

    /** A server announcing these capabilities (for example {@code IMAP4rev1 ENABLE CONDSTORE ESEARCH}). */
    FakeImapServer(String capabilities, Function<String, String> script) throws IOException {
        this.script = script;
        this.capabilities = capabilities;
        this.server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        this.thread = Thread.ofPlatform().daemon().name("fake-imap").start(this::serve);
    }

    MailEndpoint endpoint() {
        return new MailEndpoint(Protocol.IMAP, "127.0.0.1", server.getLocalPort(), Security.NONE, "bob", "pw");
    }

    /** Commands received after login, without their tags. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                converse(s);
            } catch (IOException e) {
                // closed, or the client hung up
            }
        }
    }

    private void converse(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        OutputStream out = s.getOutputStream();
        write(out, "* OK fake IMAP ready\r\n");
        String line;
        while ((line = in.readLine()) != null) {
            int space = line.indexOf(' ');
            String tag = line.substring(0, space);
            String command = line.substring(space + 1);
            String upper = command.toUpperCase(java.util.Locale.ROOT);
            if (upper.equals("CAPABILITY")) {
                write(out, "* CAPABILITY " + capabilities + "\r\n" + tag + " OK done\r\n");
            } else if (upper.startsWith("LOGIN ")) {
                write(out, tag + " OK logged in\r\n");
            } else if (upper.equals("LOGOUT")) {
                write(out, "* BYE bye\r\n" + tag + " OK done\r\n");
                return;
            } else if (upper.equals("NOOP") || upper.equals("CLOSE") || upper.equals("UNSELECT")) {
                commands.add(command);
                write(out, tag + " OK done\r\n");
            } else {
                commands.add(command);
                String answer = script.apply(command);
                if (answer == null) {
                    write(out, tag + " BAD unknown\r\n");
                } else if (answer.startsWith("TAG ") || answer.contains("\r\nTAG ")) {
                    int at = answer.startsWith("TAG ") ? 0 : answer.lastIndexOf("\r\nTAG ") + 2;
                    write(out, answer.substring(0, at) + tag + answer.substring(at + 3));
                } else {
                    write(out, answer + tag + " OK done\r\n");
                }
            }
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
