package dev.mailsync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/** Every {@code mailsync.*} setting. The README's configuration table lists the same keys. */
@ConfigMapping(prefix = "mailsync")
public interface MailsyncConfig {

    Outbound outbound();

    Mail mail();

    Credentials credentials();

    /** Where the service may connect to. */
    interface Outbound {
        /**
         * Allow mail hosts that resolve to loopback, private (RFC 1918, RFC 4193), link-local,
         * carrier-grade NAT or cloud metadata addresses. Off in production: a tenant must not aim the
         * service at internal systems (SSRF).
         */
        @WithDefault("false")
        boolean allowPrivate();

        /** Allow accounts with {@code security = NONE} (passwords in clear text on the wire). */
        @WithDefault("false")
        boolean allowPlaintext();
    }

    /** Jakarta Mail (Angus) settings. Angus waits forever by default, so every timeout is set. */
    interface Mail {
        /** Time allowed to open the TCP connection (and finish the TLS handshake). */
        @WithDefault("10s")
        Duration connectTimeout();

        /** Time allowed to wait for any single server response. */
        @WithDefault("30s")
        Duration readTimeout();
    }

    /** Encryption at rest of mail passwords (AES-256-GCM). */
    interface Credentials {
        /** Key id used to encrypt new and re-written passwords. Must be one of {@link #keys()}. */
        String activeKeyId();

        /**
         * Key id to base64 of a 32-byte key. Keep old ids here until no password uses them any more, so
         * keys can rotate without downtime.
         */
        Map<String, String> keys();
    }
}
