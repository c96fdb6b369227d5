package dev.mailsync.service;

import dev.mailsync.store.CredentialCipher;
import dev.mailsync.store.CredentialRotation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Which credentials-encryption keys the passwords use: the operator's view of a key rotation. */
@ApplicationScoped
public class CredentialKeyService {

    /** One key id: whether this instance has it, whether it seals new passwords, how many accounts use it. */
    public record KeyUsage(String keyId, boolean configured, boolean active, long accounts) {}

    /** Every configured key id and every key id a password uses, in id order. */
    public record Usage(String activeKeyId, List<KeyUsage> keys) {}

    private final CredentialRotation rotation;
    private final CredentialCipher cipher;

    @Inject
    public CredentialKeyService(CredentialRotation rotation, CredentialCipher cipher) {
        this.rotation = rotation;
        this.cipher = cipher;
    }

    public Usage usage() {
        Map<String, Long> accounts = rotation.accountsByKeyId();
        Set<String> configured = cipher.keyIds();
        Set<String> ids = new TreeSet<>(configured);
        ids.addAll(accounts.keySet());
        return new Usage(
                cipher.activeKeyId(),
                ids.stream()
                        .map(id -> new KeyUsage(
                                id,
                                configured.contains(id),
                                id.equals(cipher.activeKeyId()),
                                accounts.getOrDefault(id, 0L)))
                        .toList());
    }
}
