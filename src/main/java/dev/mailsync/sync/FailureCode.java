package dev.mailsync.sync;

/**
 * Stable error codes for anything that goes wrong talking to a mail server or running a sync. Clients
 * switch on these, so a code is never renamed or reused.
 */
public enum FailureCode {
    /** The server refused the username/password. Not retried automatically. */
    AUTH_FAILED(false),
    /** DNS failed, the connection was refused, or the network is unreachable. */
    HOST_UNREACHABLE(true),
    /** The TLS handshake failed: no TLS on that port, untrusted certificate, STARTTLS not offered. */
    TLS_FAILED(false),
    /** Connecting or waiting for a response took longer than the configured timeout. */
    TIMEOUT(true),
    /** The server answered something the protocol does not allow, or a command failed unexpectedly. */
    PROTOCOL_ERROR(true),
    /** The host resolves to an address the service may not connect to (SSRF guard). */
    HOST_NOT_ALLOWED(false),
    /** The job was cancelled by the user. */
    CANCELLED(false),
    /** A bug or an unexpected failure inside mailsync. */
    INTERNAL(true);

    private final boolean retryable;

    FailureCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether retrying the same operation later, without any change of settings, may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
