package dev.mailsync.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start a production instance with the keys that ship with the source: the dev JWT key (its
 * private half is in the repository) or the dev/test credential-encryption keys.
 */
@Singleton
public class StartupGuard {
    static final String DEV_PUBLIC_KEY_RESOURCE = "dev/jwt-dev-public.pem";
    static final Set<String> PUBLIC_CREDENTIAL_KEYS =
            Set.of("ZGV2LW9ubHkta2V5LW5ldmVyLXVzZS1pbi1wcm9kISE=", "dGVzdC1vbmx5LWtleS1uZXZlci11c2UtaW4tcHJvZCE=");

    void check(
            @Observes StartupEvent event,
            MailsyncConfig config,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> keyLocation,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> inlineKey) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        String configuredKey =
                inlineKey.orElseGet(() -> keyLocation.map(StartupGuard::read).orElse(""));
        String problem = problem(configuredKey, devPublicKey(), config);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** Why production must not start with this configuration, or null if it may. */
    static String problem(String configuredJwtKey, String devJwtKey, MailsyncConfig config) {
        if (configuredJwtKey.isBlank()) {
            return "no JWT public key configured: set mp.jwt.verify.publickey.location (env MAILSYNC_JWT_PUBLIC_KEY_LOCATION)";
        }
        if (normalize(configuredJwtKey).equals(normalize(devJwtKey))) {
            return "the JWT public key is the development key shipped with the source; configure your own";
        }
        for (var key : config.credentials().keys().entrySet()) {
            if (PUBLIC_CREDENTIAL_KEYS.contains(key.getValue().trim())) {
                return "mailsync.credentials.keys." + key.getKey()
                        + " is a development key shipped with the source; generate your own";
            }
        }
        return null;
    }

    private static String normalize(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    }

    private static String devPublicKey() {
        try (InputStream in = StartupGuard.class.getClassLoader().getResourceAsStream(DEV_PUBLIC_KEY_RESOURCE)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(String location) {
        try {
            String path = location.startsWith("file:") ? location.substring(5) : location;
            if (Files.exists(Path.of(path))) {
                return Files.readString(Path.of(path));
            }
            try (InputStream in = StartupGuard.class.getClassLoader().getResourceAsStream(path)) {
                return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the JWT public key at " + location, e);
        }
    }
}
