package dev.mailsync.mail;

import dev.mailsync.config.MailsyncConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI producers: the mail classes are plain Java, configured here from {@code mailsync.*}. */
@Singleton
public class MailBeans {

    @Produces
    @Singleton
    OutboundGuard outboundGuard(MailsyncConfig config) {
        return new OutboundGuard(config.outbound().allowPrivate());
    }

    @Produces
    @Singleton
    MailSessions mailSessions(OutboundGuard guard, MailsyncConfig config) {
        return new MailSessions(
                guard,
                config.mail().connectTimeout(),
                config.mail().readTimeout(),
                config.outbound().allowPlaintext());
    }

    @Produces
    @Singleton
    MailVerifier mailVerifier(MailSessions sessions) {
        return new MailVerifier(sessions);
    }
}
