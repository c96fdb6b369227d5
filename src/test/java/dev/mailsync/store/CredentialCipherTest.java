package dev.mailsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialCipherTest {
    private static final String KEY_A =
            Base64.getEncoder().encodeToString("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes());
    private static final String KEY_B =
            Base64.getEncoder().encodeToString("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".getBytes());

    @Test
    void a_password_round_trips_and_each_encryption_uses_a_fresh_nonce() {
        CredentialCipher cipher = new CredentialCipher("a", Map.of("a", KEY_A));
        CredentialCipher.Sealed one = cipher.encrypt("acc_1", "hunter2");
        CredentialCipher.Sealed two = cipher.encrypt("acc_1", "hunter2");

        assertThat(one.keyId()).isEqualTo("a");
        assertThat(one.ciphertext()).isNotEqualTo(two.ciphertext());
        assertThat(cipher.decrypt("acc_1", one)).isEqualTo("hunter2");
        assertThat(cipher.decrypt("acc_1", two)).isEqualTo("hunter2");
    }

    @Test
    void a_ciphertext_moved_to_another_account_does_not_decrypt() {
        CredentialCipher cipher = new CredentialCipher("a", Map.of("a", KEY_A));
        CredentialCipher.Sealed sealed = cipher.encrypt("acc_1", "hunter2");
        assertThatThrownBy(() -> cipher.decrypt("acc_2", sealed)).hasMessageContaining("does not decrypt");
    }

    @Test
    void a_tampered_ciphertext_does_not_decrypt() {
        CredentialCipher cipher = new CredentialCipher("a", Map.of("a", KEY_A));
        CredentialCipher.Sealed sealed = cipher.encrypt("acc_1", "hunter2");
        sealed.ciphertext()[14] ^= 1;
        assertThatThrownBy(() -> cipher.decrypt("acc_1", sealed)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void after_rotation_old_passwords_still_decrypt_and_new_ones_use_the_new_key() {
        CredentialCipher before = new CredentialCipher("a", Map.of("a", KEY_A));
        CredentialCipher.Sealed old = before.encrypt("acc_1", "old-secret");

        CredentialCipher after = new CredentialCipher("b", Map.of("a", KEY_A, "b", KEY_B));
        assertThat(after.decrypt("acc_1", old)).isEqualTo("old-secret");
        assertThat(after.encrypt("acc_1", "new-secret").keyId()).isEqualTo("b");

        CredentialCipher oldKeyRemoved = new CredentialCipher("b", Map.of("b", KEY_B));
        assertThatThrownBy(() -> oldKeyRemoved.decrypt("acc_1", old)).hasMessageContaining("no longer configured");
    }

    @Test
    void misconfigured_keys_stop_the_service_with_a_clear_message() {
        assertThatThrownBy(() -> new CredentialCipher("x", Map.of("a", KEY_A))).hasMessageContaining("active-key-id=x");
        assertThatThrownBy(() -> new CredentialCipher("a", Map.of("a", "c2hvcnQ=")))
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new CredentialCipher("a", Map.of("a", "not base64!")))
                .hasMessageContaining("not base64");
    }
}
