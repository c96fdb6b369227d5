package dev.mailsync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StartupGuardTest {
    private static final String OWN_KEY =
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAowned\n-----END PUBLIC KEY-----\n";
    private static final String OWN_CREDENTIAL_KEY = "b3duLWtleS1vZi10aGlzLWRlcGxveW1lbnQtMzJieXQ=";

    @Test
    void production_refuses_the_dev_jwt_key_even_reformatted() throws IOException {
        String dev = devKey();
        assertThat(StartupGuard.problem(dev, dev, config(OWN_CREDENTIAL_KEY))).contains("development key");
        assertThat(StartupGuard.problem(dev.replace("\n", "\r\n"), dev, config(OWN_CREDENTIAL_KEY)))
                .contains("development key");
    }

    @Test
    void production_refuses_the_dev_and_test_credential_keys() throws IOException {
        for (String shipped : StartupGuard.PUBLIC_CREDENTIAL_KEYS) {
            assertThat(StartupGuard.problem(OWN_KEY, devKey(), config(shipped)))
                    .contains("mailsync.credentials.keys.k");
        }
    }

    @Test
    void production_refuses_to_start_without_a_jwt_key() throws IOException {
        assertThat(StartupGuard.problem("", devKey(), config(OWN_CREDENTIAL_KEY)))
                .contains("no JWT public key");
    }

    @Test
    void production_starts_with_its_own_keys() throws IOException {
        assertThat(StartupGuard.problem(OWN_KEY, devKey(), config(OWN_CREDENTIAL_KEY)))
                .isNull();
    }

    private static String devKey() throws IOException {
        try (InputStream in =
                StartupGuard.class.getClassLoader().getResourceAsStream(StartupGuard.DEV_PUBLIC_KEY_RESOURCE)) {
            assertThat(in).as("the dev public key ships in the jar").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static MailsyncConfig config(String credentialKey) {
        return new MailsyncConfig() {
            @Override
            public Outbound outbound() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Mail mail() {
                return new Mail() {
                    @Override
                    public Duration connectTimeout() {
                        return Duration.ofSeconds(1);
                    }

                    @Override
                    public Duration readTimeout() {
                        return Duration.ofSeconds(1);
                    }

                    @Override
                    public Optional<String> trustStore() {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> trustStorePassword() {
                        return Optional.empty();
                    }
                };
            }

            @Override
            public Jobs jobs() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Sync sync() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Pop3 pop3() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Dev dev() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Credentials credentials() {
                return new Credentials() {
                    @Override
                    public String activeKeyId() {
                        return "k";
                    }

                    @Override
                    public Map<String, String> keys() {
                        return Map.of("k", credentialKey);
                    }

                    @Override
                    public Duration reencryptInterval() {
                        return Duration.ofMinutes(5);
                    }

                    @Override
                    public int reencryptBatchSize() {
                        return 100;
                    }

                    @Override
                    public boolean allowMissingKeys() {
                        return false;
                    }
                };
            }
        };
    }
}
