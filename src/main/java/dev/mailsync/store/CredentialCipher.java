package dev.mailsync.store;

import dev.mailsync.config.MailsyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts mail passwords at rest with AES-256-GCM. The stored value is {@code nonce(12) ||
 * ciphertext || tag(16)}; the row keeps the key id beside it so keys can rotate. The account id is
 * bound in as associated data: a ciphertext copied onto another row does not decrypt.
 */
@ApplicationScoped
public class CredentialCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKey> keys = new HashMap<>();
    private final String activeKeyId;
    private final SecureRandom random = new SecureRandom();

    @Inject
    public CredentialCipher(MailsyncConfig config) {
        this(config.credentials().activeKeyId(), config.credentials().keys());
    }

    public CredentialCipher(String activeKeyId, Map<String, String> base64Keys) {
        base64Keys.forEach((id, value) -> keys.put(id, decodeKey(id, value)));
        if (!keys.containsKey(activeKeyId)) {
            throw new IllegalStateException(
                    "mailsync.credentials.active-key-id=" + activeKeyId + " names no key in mailsync.credentials.keys");
        }
        this.activeKeyId = activeKeyId;
    }

    private static SecretKey decodeKey(String id, String value) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("mailsync.credentials.keys." + id + " is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalStateException(
                    "mailsync.credentials.keys." + id + " must be 32 bytes (AES-256), found " + raw.length);
        }
        return new SecretKeySpec(raw, "AES");
    }

    public String activeKeyId() {
        return activeKeyId;
    }

    /** Every configured key id, the active one included. */
    public Set<String> keyIds() {
        return Set.copyOf(keys.keySet());
    }

    /**
     * The same password sealed with the active key (key rotation), or {@code sealed} itself when it
     * already is. The plaintext never leaves this method.
     */
    public Sealed reseal(String accountId, Sealed sealed) {
        if (sealed.keyId().equals(activeKeyId)) {
            return sealed;
        }
        return encrypt(accountId, decrypt(accountId, sealed));
    }

    public Sealed encrypt(String accountId, String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(accountId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return new Sealed(
                    activeKeyId,
                    ByteBuffer.allocate(nonce.length + sealed.length)
                            .put(nonce)
                            .put(sealed)
                            .array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    public String decrypt(String accountId, Sealed sealed) {
        SecretKey key = keys.get(sealed.keyId());
        if (key == null) {
            throw new IllegalStateException("password of account " + accountId + " is encrypted with key id "
                    + sealed.keyId() + ", which is no longer configured");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.ciphertext(), 0, NONCE_BYTES));
            cipher.updateAAD(accountId.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(sealed.ciphertext(), NONCE_BYTES, sealed.ciphertext().length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("password of account " + accountId + " does not decrypt", e);
        }
    }

    /** A ciphertext and the id of the key that made it. */
    public record Sealed(String keyId, byte[] ciphertext) {}
}
