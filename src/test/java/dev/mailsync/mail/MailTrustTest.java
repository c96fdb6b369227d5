package dev.mailsync.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailsync.mail.pop3.Pop3Client;
import dev.mailsync.sync.FailureCode;
import dev.mailsync.sync.Protocol;
import dev.mailsync.sync.Security;
import dev.mailsync.testsupport.Dovecot;
import dev.mailsync.testsupport.TestCertificates;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailsync.mail.trust-store}: reading PEM and key-store files, keeping the JVM's CAs, and — against
 * a Dovecot whose certificate comes from a private CA — that once installed every kind of mail connection
 * trusts it (IMAP and POP3, implicit TLS and STARTTLS, Angus and the POP3 sync client), host names are
 * still checked, and closing the installation puts the JVM's trust back.
 */
class MailTrustTest {
    private static TestCertificates.Authority ca;
    private static Dovecot dovecot;

    private final MailSessions sessions =
            new MailSessions(new OutboundGuard(true), Duration.ofSeconds(3), Duration.ofSeconds(5), true);
    private final MailVerifier verifier = new MailVerifier(sessions);

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        Dovecot.assumeInstalled();
        ca = TestCertificates.authority("mailsync MailTrustTest CA");
        dovecot = Dovecot.start(Dovecot.options().user("bob", "bob-pw").tls(ca.issue("IP:127.0.0.1")));
    }

    @AfterAll
    static void stop() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    private List<MailEndpoint> everyTlsEndpoint(String host) {
        return List.of(
                withHost(dovecot.endpoint(Protocol.IMAP, Security.TLS, "bob"), host),
                withHost(dovecot.endpoint(Protocol.IMAP, Security.STARTTLS, "bob"), host),
                withHost(dovecot.endpoint(Protocol.POP3, Security.TLS, "bob"), host),
                withHost(dovecot.endpoint(Protocol.POP3, Security.STARTTLS, "bob"), host));
    }

    private static MailEndpoint withHost(MailEndpoint e, String host) {
        return new MailEndpoint(e.protocol(), host, e.port(), e.security(), e.username(), e.password());
    }

    @Test
    void onceInstalledEveryKindOfMailConnectionTrustsThePrivateCaAndClosingRestoresTheJvmTrust() throws Exception {
        for (MailEndpoint e : everyTlsEndpoint("127.0.0.1")) {
            assertThat(failure(e).code())
                    .as("the JVM alone does not know the CA: %s", e)
                    .isEqualTo(FailureCode.TLS_FAILED);
        }
        SSLContext before = SSLContext.getDefault();
        try (MailTrust.Installed installed = MailTrust.install(ca.certificate(), null)) {
            assertThat(installed.added())
                    .singleElement()
                    .satisfies(c ->
                            assertThat(c.getSubjectX500Principal().getName()).contains("mailsync MailTrustTest CA"));
            for (MailEndpoint e : everyTlsEndpoint("127.0.0.1")) {
                assertThat(verifier.verify(e).capabilities()).as("%s", e).isNotEmpty();
            }
            for (Security security : List.of(Security.TLS, Security.STARTTLS)) {
                try (Pop3Client pop3 = Pop3Client.open(sessions, dovecot.endpoint(Protocol.POP3, security, "bob"))) {
                    assertThat(pop3.stat().count()).isZero();
                    pop3.quit();
                }
            }
        }
        assertThat(SSLContext.getDefault()).isSameAs(before);
        assertThat(failure(dovecot.endpoint(Protocol.POP3, Security.TLS, "bob")).code())
                .isEqualTo(FailureCode.TLS_FAILED);
        // The logins above were encrypted: Dovecot marks a login over TLS (or after STARTTLS / STLS) so.
        assertThat(dovecot.log().lines().filter(l -> l.contains("Login: user=<bob>")))
                .hasSize(6)
                .allSatisfy(l -> assertThat(l).contains("TLS"));
    }

    @Test
    void aTrustedCertificateForAnotherNameIsStillRefused() throws Exception {
        try (MailTrust.Installed ignored = MailTrust.install(ca.certificate(), null)) {
            // The certificate names 127.0.0.1 only; "localhost" reaches the same server under another name.
            for (MailEndpoint e : everyTlsEndpoint("localhost")) {
                assertThat(failure(e).code()).as("%s", e).isEqualTo(FailureCode.TLS_FAILED);
            }
            MailEndpoint byName = withHost(dovecot.endpoint(Protocol.POP3, Security.STARTTLS, "bob"), "localhost");
            assertThatThrownBy(() -> Pop3Client.open(sessions, byName).close())
                    .isInstanceOfSatisfying(
                            MailAccessException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.TLS_FAILED));
        }
    }

    @Test
    void readsPemBundlesAndPkcs12AndJksKeyStoresAndKeepsTheJvmCas() throws Exception {
        TestCertificates.Authority other = TestCertificates.authority("mailsync second CA");
        Path bundle = tmp.resolve("bundle.pem");
        Files.writeString(
                bundle, "# two CAs\n" + Files.readString(ca.certificate()) + Files.readString(other.certificate()));
        assertThat(MailTrust.certificates(bundle, null)).hasSize(2);

        X509Certificate caCert = MailTrust.certificates(ca.certificate(), null).get(0);
        for (String type : List.of("PKCS12", "JKS")) {
            Path store = tmp.resolve("trust." + type);
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(null, null);
            ks.setCertificateEntry("ca", caCert);
            try (OutputStream out = Files.newOutputStream(store)) {
                ks.store(out, "store-pw".toCharArray());
            }
            assertThat(MailTrust.certificates(store, "store-pw".toCharArray()))
                    .as(type)
                    .containsExactly(caCert);
            assertThatThrownBy(() -> MailTrust.certificates(store, "wrong".toCharArray()))
                    .as(type)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(store.toString());
        }

        TrustManagerFactory jvm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jvm.init((KeyStore) null);
        X509Certificate[] jvmCas = ((X509TrustManager) jvm.getTrustManagers()[0]).getAcceptedIssuers();
        assertThat(jvmCas).isNotEmpty();
        assertThat(MailTrust.trustManager(List.of(caCert)).getAcceptedIssuers())
                .contains(jvmCas)
                .contains(caCert)
                .hasSize(jvmCas.length + 1);
    }

    @Test
    void anUnusableTrustStoreIsAClearError() throws Exception {
        Path missing = tmp.resolve("missing.pem");
        assertThatThrownBy(() -> MailTrust.install(missing, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read the trust store " + missing);
        Path key = tmp.resolve("only-a-key.pem");
        Files.writeString(
                key, "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEH\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> MailTrust.install(key, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key.toString());
        Path empty = tmp.resolve("empty.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (OutputStream out = Files.newOutputStream(empty)) {
            ks.store(out, "pw".toCharArray());
        }
        assertThatThrownBy(() -> MailTrust.install(empty, "pw".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the trust store " + empty + " holds no certificate");
    }

    private MailAccessException failure(MailEndpoint endpoint) {
        try {
            throw new AssertionError("expected a failure, got " + verifier.verify(endpoint));
        } catch (MailAccessException e) {
            return e;
        }
    }
}
