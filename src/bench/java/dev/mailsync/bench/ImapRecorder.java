package dev.mailsync.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback TCP relay in front of the IMAP server that records what the client sends, one list of
 * lines per connection. The benchmark points one small "probe" account of the service at it to learn
 * from the wire, not from reading the source, which FETCH items the service asks for and which commands
 * a sync with nothing changed costs. The measured accounts do not go through it.
 */
final class ImapRecorder implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<ByteArrayOutputStream> sessions = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;
    private volatile boolean open = true;

    ImapRecorder(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("imap-recorder").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Forgets the sessions recorded so far. */
    synchronized void clear() {
        sessions.clear();
    }

    /** The client's lines of each connection since the last {@link #clear}, in connection order. */
    synchronized List<List<String>> sessions() {
        List<List<String>> out = new ArrayList<>();
        for (ByteArrayOutputStream s : sessions) {
            String text;
            synchronized (s) {
                text = s.toString(StandardCharsets.UTF_8);
            }
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\r\n", -1)) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
            out.add(lines);
        }
        return out;
    }

    /** Waits until no relayed connection is open (the service logs out at the end of a job). */
    void awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            synchronized (this) {
                if (sockets.stream().allMatch(Socket::isClosed)) {
                    return;
                }
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
        synchronized (this) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private void acceptLoop() {
        while (open) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                ByteArrayOutputStream record = new ByteArrayOutputStream();
                synchronized (this) {
                    sessions.add(record);
                    sockets.add(client);
                    sockets.add(upstream);
                }
                Thread.ofPlatform().daemon().start(() -> pump(client, upstream, record));
                Thread.ofPlatform().daemon().start(() -> pump(upstream, client, null));
            } catch (IOException e) {
                if (open) {
                    System.err.println("imap recorder: " + e);
                }
            }
        }
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (record != null) {
                    synchronized (record) {
                        record.write(buf, 0, n);
                    }
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // One side closed: close both below.
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // Closed already.
            }
        }
    }
}
