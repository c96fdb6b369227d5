package dev.mailsync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Every {@code mailsync.*} setting. docs/configuration.md lists the same keys with their environment names
 * and defaults ({@code ConfigurationDocsTest} keeps the two in step).
 */
@ConfigMapping(prefix = "mailsync")
public interface MailsyncConfig {

    Outbound outbound();

    Mail mail();

    Credentials credentials();

    Jobs jobs();

    Sync sync();

    Pop3 pop3();

    Dev dev();

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

        /**
         * Certificates to trust for mail servers besides the JVM's own CAs: a PEM file of one or more
         * certificates (a private CA, or a server's self-signed certificate), or a PKCS12 / JKS key store
         * whose certificate entries are taken. Unset: only the JVM's CAs. Host names are verified either way.
         */
        Optional<String> trustStore();

        /** Password of a PKCS12 / JKS {@link #trustStore()} (a PEM file needs none). */
        Optional<String> trustStorePassword();
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

        /**
         * How often each replica re-encrypts the passwords still sealed with a configured key other than
         * the active one (key rotation; see docs/operations.md). Replicas share the rows safely.
         */
        @WithDefault("5m")
        Duration reencryptInterval();

        /** Passwords re-encrypted per transaction. */
        @WithDefault("100")
        int reencryptBatchSize();

        /**
         * Start even though some passwords use a key id that is not configured. Off: such a start fails
         * and names the key ids, so an old key cannot be removed while passwords still need it. On only
         * when that key is lost for good: those accounts fail until their password is set again.
         */
        @WithDefault("false")
        boolean allowMissingKeys();
    }

    /** The sync-job engine. Every replica runs workers; PostgreSQL coordinates them. */
    interface Jobs {
        /** Run workers in this instance (off: the instance only serves the API). */
        @WithDefault("true")
        boolean enabled();

        /** Worker threads (platform threads; Angus Mail is synchronized, see the README). */
        @WithDefault("4")
        int workers();

        /** How often idle workers look for work when no notification arrives. */
        @WithDefault("2s")
        Duration pollInterval();

        /** How long a claimed account stays leased without a heartbeat; heartbeats come every third of it. */
        @WithDefault("30s")
        Duration leaseDuration();

        /** Attempts per job before it fails for good. */
        @WithDefault("5")
        int maxAttempts();

        /** First retry delay; doubles per attempt, with ±20 % jitter. */
        @WithDefault("5s")
        Duration backoffBase();

        /** Longest retry delay. */
        @WithDefault("10m")
        Duration backoffMax();

        /** How long shutdown waits for running jobs to reach a safe point before it lets their leases go. */
        @WithDefault("20s")
        Duration shutdownGrace();

        /** How often each replica enqueues the jobs of devices whose sync interval is due. */
        @WithDefault("15s")
        Duration scheduleTick();
    }

    /** The mirror and the deltas. */
    interface Sync {
        /** How long removed folders and messages stay as tombstones; older states answer 410. */
        @WithDefault("30d")
        Duration tombstoneRetention();

        /** Messages per FETCH of summaries (bounded memory). */
        @WithDefault("500")
        int summaryChunk();

        /** Largest page of the changes and messages endpoints. */
        @WithDefault("1000")
        int maxPage();
    }

    /**
     * Conveniences for a developer's machine: {@code /dev/token}, and a demo mail server with demo accounts
     * (see the README's "First calls"). {@code enabled} is read when the application is built: it is on
     * in dev mode ({@code %dev}) and off in every other build, so a production build has none of it.
     */
    interface Dev {
        /** Build time: include {@code /dev/token}, {@code /dev/demo} and the demo mail server. */
        @WithDefault("false")
        boolean enabled();

        Demo demo();

        /** The demo mail server (GreenMail, in the service's JVM, on loopback) and the demo accounts. */
        interface Demo {
            /** Start the demo mail server and create the demo accounts (when {@code enabled}). */
            @WithDefault("true")
            boolean start();

            /** IMAP port of the demo mail server; 0 = a free one. A port in use is replaced by a free one. */
            @WithDefault("0")
            int imapPort();

            /** POP3 port of the demo mail server; 0 = a free one. */
            @WithDefault("0")
            int pop3Port();

            /** SMTP port of the demo mail server (deliver new mail to the demo users); 0 = a free one. */
            @WithDefault("0")
            int smtpPort();

            /** JWT subject that owns the demo accounts: the one {@code /dev/token} signs by default. */
            @WithDefault("alice")
            String owner();
        }
    }

    /** POP3 accounts: downloads and the safety of server-side deletion. */
    interface Pop3 {
        /**
         * Largest message (LIST size and bytes actually received) a POP3 sync downloads; a larger one is
         * skipped and reported in the job's result, the rest of the sync goes on.
         */
        @WithDefault("52428800")
        long maxMessageSize();

        /**
         * A device that has not acknowledged anything (nor been created) for this long stops blocking
         * {@code DELETE_AFTER_ALL_DEVICES} deletions and is reported as stale in the account's warnings.
         */
        @WithDefault("30d")
        Duration staleDeviceAfter();
    }
}
