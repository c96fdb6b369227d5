package dev.mailsync.mail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificates mail connections trust: the JVM's CAs, plus those of {@code mailsync.mail.trust-store}
 * (a private CA, or a server's self-signed certificate). Host names are still verified.
 *
 * <p>Why the process-wide default {@link SSLContext}: Angus layers TLS — implicit TLS and STARTTLS alike
 * — with {@code SSLSocketFactory.getDefault()} whenever its socket factory is a plain one, and it must be
 * a plain one ({@link GuardedSocketFactory}) so that every connection goes through the SSRF guard: given
 * an {@code SSLSocketFactory}, Angus would open the TCP connection itself. So the default context is the
 * one place that reaches every mail connection; the POP3 client takes TLS from it too. {@link #install}
 * sets it and gives back a handle that restores the previous one.
 */
public final class MailTrust {
    private MailTrust() {}

    /** An installed default context; {@link #close()} puts back the one before (if still ours). */
    public interface Installed extends AutoCloseable {
        /** The certificates added to the JVM's CAs. */
        List<X509Certificate> added();

        @Override
        void close();
    }

    /**
     * Makes the JVM's CAs plus the store's certificates the process's default TLS trust.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read, is neither PEM nor a key
     *     store this JVM reads, has a wrong password, or holds no certificate
     */
    public static Installed install(Path store, char[] password) {
        List<X509Certificate> added = certificates(store, password);
        SSLContext context;
        SSLContext previous;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager(added)}, null);
            previous = SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context with the trust store " + store, e);
        }
        SSLContext.setDefault(context);
        return new Installed() {
            @Override
            public List<X509Certificate> added() {
                return added;
            }

            @Override
            public void close() {
                try {
                    if (SSLContext.getDefault() == context) {
                        SSLContext.setDefault(previous);
                    }
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    /** A trust manager for the JVM's CAs plus {@code extra}. */
    static X509TrustManager trustManager(List<X509Certificate> extra) throws GeneralSecurityException {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        try {
            anchors.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int n = 0;
        for (X509Certificate ca : x509(jvmDefault()).getAcceptedIssuers()) {
            anchors.setCertificateEntry("jvm-" + n++, ca);
        }
        for (X509Certificate c : extra) {
            anchors.setCertificateEntry("mailsync-" + n++, c);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        return x509(factory);
    }

    /** The certificates of a PEM file, or the certificate entries of a PKCS12 / JKS key store. */
    static List<X509Certificate> certificates(Path store, char[] password) {
        Objects.requireNonNull(store, "store");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(store);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the trust store " + store + ": " + e, e);
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            if (new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
                for (Certificate c :
                        CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                    out.add((X509Certificate) c);
                }
            } else {
                // PKCS12; this JVM's PKCS12 key store reads JKS files as well (keystore.type.compat).
                KeyStore keyStore = KeyStore.getInstance(KeyStore.getDefaultType());
                keyStore.load(new ByteArrayInputStream(bytes), password);
                for (String alias : Collections.list(keyStore.aliases())) {
                    if (keyStore.isCertificateEntry(alias)
                            && keyStore.getCertificate(alias) instanceof X509Certificate c) {
                        out.add(c);
                    }
                }
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "the trust store " + store + " is neither PEM certificates nor a key store this JVM can open"
                            + " with the given password: " + e.getMessage(),
                    e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the trust store " + store + " holds no certificate");
        }
        return List.copyOf(out);
    }

    private static TrustManagerFactory jvmDefault() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return factory;
    }

    private static X509TrustManager x509(TrustManagerFactory factory) {
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("no X509TrustManager from " + factory.getAlgorithm());
    }
}
