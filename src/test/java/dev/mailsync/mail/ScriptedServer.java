package dev.mailsync.mail;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny TCP server on a free loopback port that keeps its connections and answers each with a fixed
 * script: say nothing at all, or send some bytes and then hold the connection open or hang up.
 */
final class ScriptedServer implements AutoCloseable {
    private final ServerSocket server;
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

    /**
     * How many connections were accepted before now, certainly: connects once itself and waits until that
     * connection is accepted. Connections are accepted one by one in the order they arrived, so every one
     * made before this call is counted, without sleeping on a guess. The probe itself is not counted.
     */
    int connectionsAcceptedBeforeAProbe() throws IOException {
        try (Socket probe = new Socket(InetAddress.getByName("127.0.0.1"), port())) {
            int probePort = probe.getLocalPort();
            await("the probe connection to be accepted")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> open.stream().anyMatch(s -> s.getPort() == probePort));
            int index = 0;
            for (Socket s : open) {
                if (s.getPort() == probePort) {
                    return index;
                }
                index++;
            }
            throw new IllegalStateException("the probe was accepted but is not listed");
        }
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
