package dev.mailsync.sync;

/** How the connection to the mail server is protected. */
public enum Security {
    /** Implicit TLS from the first byte (IMAPS 993, POP3S 995). The default. */
    TLS,
    /** Plain connection upgraded with STARTTLS / STLS before login; refused if the server cannot. */
    STARTTLS,
    /** No encryption at all; only where {@code mailsync.outbound.allow-plaintext} is set. */
    NONE;

    /** The port a client uses when none is given (RFC 8314 for the implicit-TLS ports). */
    public int defaultPort(Protocol protocol) {
        return switch (protocol) {
            case IMAP -> this == TLS ? 993 : 143;
            case POP3 -> this == TLS ? 995 : 110;
        };
    }
}
