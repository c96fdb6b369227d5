package dev.mailsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Loopback ports for tests: never fixed numbers. */
public final class FreePorts {
    private FreePorts() {}

    /** A port that was free a moment ago and has nothing listening on it now. */
    public static int closed() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
