package dev.mailsync.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between instances and their PostgreSQL that makes "a second replica meets the first one's
 * migration lock" happen on every run rather than when start-up timing allows. Each instance gets a port of
 * its own. The first instance to ask for Flyway's advisory lock ({@code pg_try_advisory…}) is held right after
 * asking: the next bytes its connection sends wait at the relay until another instance has asked for the
 * lock too and PostgreSQL has answered it. Nothing else is touched; every other connection and every byte
 * PostgreSQL sends pass straight through.
 */
final class FlywayLockGate implements AutoCloseable {
    private static final byte[] LOCK_QUERY = "pg_try_advisory".getBytes(StandardCharsets.US_ASCII);
    private static final int NOBODY = -1;

    private final String targetHost;
    private final int targetPort;
    private final Duration maxHold;
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "flyway-lock-gate");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger holder = new AtomicInteger(NOBODY);
    private final CountDownLatch otherAsked = new CountDownLatch(1);
    private final AtomicBoolean heldTooLong = new AtomicBoolean();

    /**
     * @param jdbcUrl the database the instances would use directly
     * @param instances how many instances (ports) to relay for
     * @param maxHold how long the first instance is held at most (then it goes on, and {@link #contended()}
     *     says false)
     */
    FlywayLockGate(String jdbcUrl, int instances, Duration maxHold) throws IOException {
        URI target = URI.create(jdbcUrl.substring("jdbc:".length()));
        this.targetHost = target.getHost();
        this.targetPort = target.getPort() < 0 ? 5432 : target.getPort();
        this.maxHold = maxHold;
        for (int i = 0; i < instances; i++) {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            listeners.add(listener);
            int instance = i;
            threads.execute(() -> accept(instance, listener));
        }
    }

    /** The JDBC URL for one instance: the same database, reached through this relay, without TLS. */
    String url(int instance, String jdbcUrl) {
        URI target = URI.create(jdbcUrl.substring("jdbc:".length()));
        String query = target.getRawQuery();
        return "jdbc:postgresql://127.0.0.1:" + listeners.get(instance).getLocalPort() + target.getRawPath() + "?"
                + (query == null ? "" : query + "&") + "sslmode=disable";
    }

    /** Whether one instance asked for the lock while the first asker was held, and was answered. */
    boolean contended() {
        return otherAsked.getCount() == 0 && !heldTooLong.get();
    }

    /** The instance that asked first and was held, or -1. */
    int held() {
        return holder.get();
    }

    private void accept(int instance, ServerSocket listener) {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                continue; // closed: the loop ends
            }
            sockets.add(client);
            try {
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(server);
                AtomicBoolean asked = new AtomicBoolean();
                threads.execute(() -> fromInstance(instance, client, server, asked));
                threads.execute(() -> fromDatabase(server, client, asked));
            } catch (IOException e) {
                // the database refused: the instance sees its connection closed
                closeQuietly(client);
            }
        }
    }

    /** Instance → PostgreSQL, holding the first asker's next bytes after its lock query. */
    private void fromInstance(int instance, Socket client, Socket server, AtomicBoolean asked) {
        byte[] tail = new byte[0];
        boolean holdNext = false;
        try (InputStream in = client.getInputStream();
                OutputStream out = server.getOutputStream()) {
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (holdNext) {
                    holdNext = false;
                    if (!otherAsked.await(maxHold.toMillis(), TimeUnit.MILLISECONDS)) {
                        heldTooLong.set(true);
                    }
                }
                byte[] seen = concat(tail, buffer, n);
                if (indexOf(seen, LOCK_QUERY) >= 0) {
                    if (holder.compareAndSet(NOBODY, instance)) {
                        holdNext = true;
                    } else if (holder.get() != instance) {
                        asked.set(true);
                    }
                }
                tail = java.util.Arrays.copyOfRange(
                        seen, Math.max(0, seen.length - LOCK_QUERY.length + 1), seen.length);
                out.write(buffer, 0, n);
                out.flush();
            }
            server.shutdownOutput();
        } catch (IOException e) {
            // either side went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * PostgreSQL → instance; the answer to another instance's lock query (its result column is named after
     * the function) releases the held one, once it has been passed on.
     */
    private void fromDatabase(Socket server, Socket client, AtomicBoolean asked) {
        byte[] tail = new byte[0];
        try (InputStream in = server.getInputStream();
                OutputStream out = client.getOutputStream()) {
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) > 0) {
                byte[] seen = concat(tail, buffer, n);
                boolean answer = indexOf(seen, LOCK_QUERY) >= 0;
                tail = java.util.Arrays.copyOfRange(
                        seen, Math.max(0, seen.length - LOCK_QUERY.length + 1), seen.length);
                out.write(buffer, 0, n);
                out.flush();
                if (answer && asked.get()) {
                    otherAsked.countDown();
                }
            }
            client.shutdownOutput();
        } catch (IOException e) {
            // either side went away
        }
    }

    private static byte[] concat(byte[] head, byte[] buffer, int n) {
        byte[] all = new byte[head.length + n];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(buffer, 0, all, head.length, n);
        return all;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        otherAsked.countDown();
        listeners.forEach(FlywayLockGate::closeQuietly);
        sockets.forEach(FlywayLockGate::closeQuietly);
        threads.shutdownNow();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed, or closing: nothing left to do
        }
    }
}
