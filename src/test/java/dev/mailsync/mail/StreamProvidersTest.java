package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamProvidersTest {

    @Test
    void angusMailsProviderIsNamedSoJakartaMailNeedNotSearchTheClassPath() {
        StreamProviders.pin();

        assertThat(System.getProperty(StreamProviders.PROPERTY))
                .isEqualTo("org.eclipse.angus.mail.util.MailStreamProvider");
        assertThat(jakarta.mail.util.StreamProvider.provider().getClass().getName())
                .isEqualTo("org.eclipse.angus.mail.util.MailStreamProvider");
    }
}
