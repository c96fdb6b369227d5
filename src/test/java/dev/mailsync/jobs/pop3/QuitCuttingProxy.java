package dev.mailsync.jobs.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a POP3 server. While armed, it cuts both sides of a session the
 * moment the client's {@code QUIT} line arrives, before the server sees it: the connection drops between
 * DELE and QUIT, the way a network failure would. It records the client's command lines (the PASS line
 * masked).
 */
final class QuitCuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger cuts = new AtomicInteger();
    private final List<String> commands = new CopyOnWriteArrayList<>();

    QuitCuttingProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "quit-cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void arm(boolean on) {
        armed.set(on);
    }

    int cuts() {
        return cuts.get();
    }

    List<String> commands() {
        return commands;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket("127.0.0.1", target);
                Thread down = new Thread(() -> pump(upstream, client), "proxy-down");
                down.setDaemon(true);
                down.start();
                Thread up = new Thread(() -> clientToServer(client, upstream), "proxy-up");
                up.setDaemon(true);
                up.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Line by line, so a QUIT can be stopped before it is forwarded. */
    private void clientToServer(Socket client, Socket upstream) {
        try (InputStream in = client.getInputStream();
                OutputStream out = upstream.getOutputStream()) {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                line.append((char) b);
                if (b == '\n') {
                    String command = line.toString().strip();
                    line.setLength(0);
                    commands.add(command.startsWith("PASS ") ? "PASS ****" : command);
                    if (armed.get() && command.equalsIgnoreCase("QUIT")) {
                        cuts.incrementAndGet();
                        closeQuietly(upstream);
                        closeQuietly(client);
                        return;
                    }
                    out.write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            }
        } catch (IOException ignored) {
            // one side closed
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
