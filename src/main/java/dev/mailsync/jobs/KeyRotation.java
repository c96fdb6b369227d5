package dev.mailsync.jobs;

import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.store.CredentialRotation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Rotation of the credentials-encryption key, on every replica: re-encrypts passwords still on an old
 * key id in the background, publishes how many accounts use each key id
 * ({@code mailsync_credentials_accounts{key_id}}), and refuses to start a production instance while
 * passwords still use a key id it has no key for (so an old key cannot be removed too early).
 */
@ApplicationScoped
public class KeyRotation {
    private static final Logger LOG = Logger.getLogger(KeyRotation.class);

    private final CredentialRotation rotation;
    private final MailsyncConfig config;
    private final MeterRegistry metrics;
    private final Map<String, AtomicLong> accountsByKey = new ConcurrentHashMap<>();
    private final Counter reencrypted;
    private final Counter failures;

    @Inject
    public KeyRotation(CredentialRotation rotation, MailsyncConfig config, MeterRegistry metrics) {
        this.rotation = rotation;
        this.config = config;
        this.metrics = metrics;
        this.reencrypted = Counter.builder("mailsync.credentials.reencrypted")
                .description("passwords re-encrypted from an old key id to the active one")
                .register(metrics);
        this.failures = Counter.builder("mailsync.credentials.reencrypt.failures")
                .description("passwords on an old key id that did not decrypt and were left as they are")
                .register(metrics);
    }

    void onStart(@Observes StartupEvent event) {
        verifyKeys(LaunchMode.current() == LaunchMode.NORMAL);
        refreshCounts();
    }

    /**
     * Fails (in production, unless {@code mailsync.credentials.allow-missing-keys}) when passwords use a
     * key id that is not configured; otherwise only warns.
     */
    public void verifyKeys(boolean production) {
        String problem = missingKeysProblem(rotation.missingKeys());
        if (problem == null) {
            return;
        }
        if (production && !config.credentials().allowMissingKeys()) {
            throw new IllegalStateException(problem);
        }
        LOG.warn(problem);
    }

    /** Why these key ids must stay configured, or null when every password has its key. */
    static String missingKeysProblem(Map<String, Long> missing) {
        if (missing.isEmpty()) {
            return null;
        }
        StringBuilder ids = new StringBuilder();
        missing.forEach((id, count) -> ids.append(ids.isEmpty() ? "" : ", ")
                .append(id)
                .append(" (")
                .append(count)
                .append(count == 1 ? " account)" : " accounts)"));
        return "passwords are encrypted with key ids that are not configured: " + ids
                + ". Configure mailsync.credentials.keys.<id> for them again and let re-encryption finish"
                + " (mailsync_credentials_accounts{key_id}); set mailsync.credentials.allow-missing-keys=true"
                + " only if those keys are lost for good";
    }

    @Scheduled(
            every = "${mailsync.credentials.reencrypt-interval:5m}",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            if (config.jobs().enabled()) {
                runOnce();
            } else {
                refreshCounts();
            }
        } catch (RuntimeException e) {
            LOG.warnf("key rotation pass failed: %s", e.getMessage());
        }
    }

    /** One pass: re-encrypt what is still on an old key id, then refresh the per-key counts. */
    public CredentialRotation.Report runOnce() {
        CredentialRotation.Report report =
                rotation.reencryptOldKeys(config.credentials().reencryptBatchSize());
        reencrypted.increment(report.reencrypted());
        failures.increment(report.failed());
        if (report.reencrypted() > 0 || report.failed() > 0) {
            LOG.infof(
                    "key rotation: %d passwords re-encrypted with key id %s, %d left on an old key id because they do not decrypt",
                    report.reencrypted(), config.credentials().activeKeyId(), report.failed());
        }
        refreshCounts();
        return report;
    }

    /**
     * Reads the per-key-id account counts into the gauges; a key id no longer used reads 0. One at a time,
     * so counts read earlier never overwrite counts read later.
     */
    public synchronized Map<String, Long> refreshCounts() {
        Map<String, Long> counts = rotation.accountsByKeyId();
        accountsByKey.forEach((id, value) -> value.set(counts.getOrDefault(id, 0L)));
        counts.forEach(
                (id, count) -> accountsByKey.computeIfAbsent(id, this::register).set(count));
        return counts;
    }

    private AtomicLong register(String keyId) {
        AtomicLong value = new AtomicLong();
        Gauge.builder("mailsync.credentials.accounts", value, AtomicLong::get)
                .tag("key_id", keyId)
                .description("accounts whose password is encrypted with this key id")
                .register(metrics);
        return value;
    }
}
