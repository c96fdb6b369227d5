package dev.mailsync.mail.pop3;

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
 * A scripted POP3 server for what real servers will not do on demand (no UIDL, a lock, odd bodies). It
 * greets, then answers every command line with what the script returns (CRLF added per line); a null
 * answer hangs up. Commands are recorded.
 */
final class FakePop3Server implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Thread thread;

    FakePop3Server(Function<String, String> script) throws IOException {
        this.server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        this.thread = new Thread(() -> serve(script), "fake-pop3");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve(Function<String, String> script) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                out.write("+OK fake ready\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String line;
                while ((line = in.readLine()) != null) {
                    commands.add(line);
                    String answer = script.apply(line);
                    if (answer == null) {
                        break;
                    }
                    out.write(answer.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (line.equals("QUIT")) {
                        break;
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }
    }

    MailEndpoint endpoint() {
        return new MailEndpoint(Protocol.POP3, "127.0.0.1", server.getLocalPort(), Security.NONE, "bob", "pw-secret");
    }

    List<String> commands() {
        return commands;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
