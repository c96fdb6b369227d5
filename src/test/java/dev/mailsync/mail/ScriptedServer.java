package dev.mailsync.mail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny TCP server on a free loopback port that counts connections and answers each with a fixed
 * script: say nothing at all, or send some bytes and then hold the connection open or hang up.
 */
final class ScriptedServer implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private ScriptedServer(byte[] greeting, boolean closeAfterGreeting) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        acceptor = Thread.ofPlatform()
                .daemon()
                .name("scripted-server-" + server.getLocalPort())
                .start(() -> {
                    while (!server.isClosed()) {
                        try {
                            Socket s = server.accept();
                            accepted.incrementAndGet();
                            open.add(s);
                            if (greeting.length > 0) {
                                OutputStream out = s.getOutputStream();
                                out.write(greeting);
                                out.flush();
                            }
                            if (closeAfterGreeting) {
                                s.close();
                            }
                        } catch (IOException e) {
                            // closed
                        }
                    }
                });
    }

    /** Accepts connections and never writes a byte. */
    static ScriptedServer silent() throws IOException {
        return new ScriptedServer(new byte[0], false);
    }

    /** Accepts connections and sends this text first, then nothing more. */
    static ScriptedServer greeting(String text) throws IOException {
        return new ScriptedServer(text.getBytes(StandardCharsets.US_ASCII), false);
    }

    /** Accepts connections, sends this text and hangs up. */
    static ScriptedServer greetingThenClose(String text) throws IOException {
        return new ScriptedServer(text.getBytes(StandardCharsets.US_ASCII), true);
    }

    int port() {
        return server.getLocalPort();
    }

    int acceptedConnections() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        try {
            acceptor.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
