package dev.mailsync.mail;

import dev.mailsync.config.MailsyncConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** CDI producers: the mail classes are plain Java, configured here from {@code mailsync.*}. */
@Singleton
public class MailBeans {
    private static final Logger LOG = Logger.getLogger(MailBeans.class);

    private MailTrust.Installed trust;

    @Produces
    @Singleton
    OutboundGuard outboundGuard(MailsyncConfig config) {
        return new OutboundGuard(config.outbound().allowPrivate());
    }

    /**
     * The mail sessions; before the first one, the certificates of {@code mailsync.mail.trust-store} are
     * added to the trust of every mail connection ({@link MailTrust}).
     */
    @Produces
    @Singleton
    MailSessions mailSessions(OutboundGuard guard, MailsyncConfig config) {
        config.mail().trustStore().ifPresent(store -> {
            trust = MailTrust.install(
                    Path.of(store),
                    config.mail().trustStorePassword().map(String::toCharArray).orElse(null));
            LOG.infof(
                    "mail servers: trusting %d certificate(s) of %s besides the JVM's CAs: %s",
                    trust.added().size(),
                    store,
                    trust.added().stream()
                            .map(c -> c.getSubjectX500Principal().getName())
                            .toList());
        });
        return new MailSessions(
                guard,
                config.mail().connectTimeout(),
                config.mail().readTimeout(),
                config.outbound().allowPlaintext());
    }

    /** A trust store that cannot be read stops the start, not the first sync. */
    void checkAtStartup(@Observes StartupEvent event, MailSessions sessions) {
        sessions.guard();
    }

    @Produces
    @Singleton
    MailVerifier mailVerifier(MailSessions sessions) {
        return new MailVerifier(sessions);
    }

    @PreDestroy
    void restoreTrust() {
        if (trust != null) {
            trust.close();
            trust = null;
        }
    }
}
