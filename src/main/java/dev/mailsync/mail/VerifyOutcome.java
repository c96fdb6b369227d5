package dev.mailsync.mail;

import dev.mailsync.sync.Protocol;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A successful login: the protocol and the capabilities the server announced once logged in, upper
 * case and sorted (IMAP: {@code CAPABILITY} of RFC 9051 §6.1.1, for example {@code CONDSTORE}, {@code
 * QRESYNC}, {@code QUOTA}; POP3: the {@code CAPA} tags of RFC 2449, for example {@code UIDL}, {@code TOP}).
 */
public record VerifyOutcome(Protocol protocol, List<String> capabilities) {

    public VerifyOutcome {
        Objects.requireNonNull(protocol, "protocol");
        capabilities = List.copyOf(capabilities);
    }

    /** Whether the server announced that capability (case-insensitive). */
    public boolean has(String capability) {
        return capabilities.contains(capability.toUpperCase(Locale.ROOT));
    }
}
