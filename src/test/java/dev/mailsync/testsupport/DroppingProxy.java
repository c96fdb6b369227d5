package dev.mailsync.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy to a mail server that, once armed, cuts the first connection whose server-to-client
 * traffic passes a number of bytes — a server or network dropping the connection in the middle of a
 * response. Later connections pass untouched.
 */
public final class DroppingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile long cutAfterBytes;
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();

    public DroppingProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "dropping-proxy-" + listener.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The next connection that receives more than {@code bytes} from the server is cut there. */
    public void cutOnceAfter(long bytes) {
        cutAfterBytes = bytes;
        armed.set(true);
    }

    public int cuts() {
        return cuts.get();
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                Socket server = new Socket(targetHost, targetPort);
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean serverToClient) {
        Thread t = new Thread(
                () -> {
                    long seen = 0;
                    byte[] buffer = new byte[8192];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            if (serverToClient
                                    && armed.get()
                                    && seen + n > cutAfterBytes
                                    && armed.compareAndSet(true, false)) {
                                int part = (int) Math.max(0, cutAfterBytes - seen);
                                out.write(buffer, 0, part);
                                out.flush();
                                cuts.incrementAndGet();
                                closeQuietly(from);
                                closeQuietly(to);
                                return;
                            }
                            seen += n;
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // one side went away
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "dropping-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
