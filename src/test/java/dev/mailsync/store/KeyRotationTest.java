package dev.mailsync.store;

import static dev.mailsync.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import dev.mailsync.jobs.KeyRotation;
import dev.mailsync.support.Api;
import dev.mailsync.support.FreePorts;
import dev.mailsync.support.Tokens;
import dev.mailsync.testsupport.TestLog;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rotating the credentials-encryption key against PostgreSQL: passwords sealed with key {@code a}, an
 * instance configured with {@code a} and {@code b} (active {@code b}) re-encrypts them, after which
 * {@code a} can go. The rows are real account rows made through the API, then sealed with {@code a}
 * as an instance configured with only {@code a} would have written them.
 */
@QuarkusTest
class KeyRotationTest {
    private static final String KEY_A = randomKey();
    private static final String KEY_B = randomKey();

    private final CredentialCipher onlyA = new CredentialCipher("a", Map.of("a", KEY_A));
    private final CredentialCipher aAndB = new CredentialCipher("b", Map.of("a", KEY_A, "b", KEY_B));
    private final CredentialCipher onlyB = new CredentialCipher("b", Map.of("b", KEY_B));

    @Inject
    AgroalDataSource dataSource;

    @Inject
    AccountRepository accounts;

    @Inject
    KeyRotation keyRotation;

    private String owner;
    /** Account id to its plaintext password, in creation order. */
    private final Map<String, String> passwords = new LinkedHashMap<>();

    @BeforeEach
    void setUp() {
        owner = Api.newSubject();
    }

    @AfterEach
    void removeAccounts() {
        for (String id : passwords.keySet()) {
            as(owner).delete("/v1/accounts/{a}", id).then().statusCode(204);
        }
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** {@code count} accounts whose passwords an instance with only key {@code a} wrote. */
    private void accountsOnKeyA(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            String password = "rotate-me-" + UUID.randomUUID();
            Map<String, Object> body = new LinkedHashMap<>(Api.imapAccount("127.0.0.1", FreePorts.closed()));
            body.put("username", "user" + i);
            body.put("password", password);
            passwords.put(Api.createAccount(owner, body), password);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE account SET password_key_id = ?, password_ciphertext = ? WHERE id = ?")) {
            for (var account : passwords.entrySet()) {
                CredentialCipher.Sealed sealed = onlyA.encrypt(account.getKey(), account.getValue());
                s.setString(1, sealed.keyId());
                s.setBytes(2, sealed.ciphertext());
                s.setString(3, account.getKey());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private Map<String, CredentialCipher.Sealed> stored() throws SQLException {
        Map<String, CredentialCipher.Sealed> rows = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT id, password_key_id, password_ciphertext FROM account WHERE owner = ? ORDER BY id")) {
            s.setString(1, owner);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.put(r.getString(1), new CredentialCipher.Sealed(r.getString(2), r.getBytes(3)));
                }
            }
        }
        return rows;
    }

    private void assertEveryPasswordOnKeyBDecryptingWithoutKeyA() throws SQLException {
        Map<String, CredentialCipher.Sealed> rows = stored();
        assertThat(rows).hasSameSizeAs(passwords);
        rows.forEach((id, row) -> {
            assertThat(row.keyId()).as(id).isEqualTo("b");
            assertThat(onlyB.decrypt(id, row)).isEqualTo(passwords.get(id));
        });
    }

    @Test
    void passwords_on_the_old_key_end_on_the_active_key_and_the_old_key_can_then_be_removed() throws Exception {
        accountsOnKeyA(23);
        Map<String, CredentialCipher.Sealed> before = stored();
        assertThat(new CredentialRotation(dataSource, onlyB).missingKeys()).containsEntry("a", 23L);

        CredentialRotation rotation = new CredentialRotation(dataSource, aAndB);
        assertThat(rotation.oldKeyIds()).containsExactly("a");
        CredentialRotation.Report report = rotation.reencryptOldKeys(5);

        assertThat(report).isEqualTo(new CredentialRotation.Report(23, 0));
        assertEveryPasswordOnKeyBDecryptingWithoutKeyA();
        stored().forEach((id, row) ->
                assertThat(row.ciphertext()).isNotEqualTo(before.get(id).ciphertext()));
        assertThat(rotation.reencryptOldKeys(5))
                .as("a second pass finds nothing left")
                .isEqualTo(new CredentialRotation.Report(0, 0));
        assertThat(new CredentialRotation(dataSource, onlyB).missingKeys())
                .as("without key a, no password is missing its key")
                .doesNotContainKey("a");
    }

    @Test
    void two_replicas_at_once_rewrite_each_password_exactly_once() throws Exception {
        accountsOnKeyA(60);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<CredentialRotation.Report>> replicas = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CredentialRotation replica = new CredentialRotation(dataSource, aAndB);
            replicas.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return replica.reencryptOldKeys(4);
            }));
        }
        start.countDown();

        int total = 0;
        for (var replica : replicas) {
            CredentialRotation.Report report = replica.get(60, TimeUnit.SECONDS);
            assertThat(report.failed()).isZero();
            total += report.reencrypted();
        }
        assertThat(total).as("every password rewritten once, by one replica").isEqualTo(60);
        assertEveryPasswordOnKeyBDecryptingWithoutKeyA();
    }

    @Test
    void a_password_that_does_not_decrypt_stays_as_it_is_and_the_rest_are_rotated() throws Exception {
        accountsOnKeyA(6);
        List<String> ids = new ArrayList<>(passwords.keySet());
        String broken = ids.get(2);
        // The ciphertext of another account: the account id is the associated data, so it fails to open.
        CredentialCipher.Sealed foreign = onlyA.encrypt(ids.get(0), passwords.get(ids.get(0)));
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE account SET password_ciphertext = ? WHERE id = ?")) {
            s.setBytes(1, foreign.ciphertext());
            s.setString(2, broken);
            s.executeUpdate();
        }

        CredentialRotation rotation = new CredentialRotation(dataSource, aAndB);
        assertThat(rotation.reencryptOldKeys(2)).isEqualTo(new CredentialRotation.Report(5, 1));
        assertThat(rotation.reencryptOldKeys(2)).isEqualTo(new CredentialRotation.Report(0, 1));

        Map<String, CredentialCipher.Sealed> rows = stored();
        assertThat(rows.get(broken).keyId()).isEqualTo("a");
        assertThat(rows.get(broken).ciphertext()).isEqualTo(foreign.ciphertext());
        ids.stream().filter(id -> !id.equals(broken)).forEach(id -> {
            assertThat(rows.get(id).keyId()).isEqualTo("b");
            assertThat(onlyB.decrypt(id, rows.get(id))).isEqualTo(passwords.get(id));
        });
        String log = TestLog.read();
        assertThat(log).contains("key rotation left account " + broken + " on key id a");
        passwords.values().forEach(password -> assertThat(log).doesNotContain(password));
    }

    @Test
    void a_settings_change_that_overlaps_a_rotation_keeps_the_rotated_password() throws Exception {
        accountsOnKeyA(1);
        String id = passwords.keySet().iterator().next();
        CredentialRotation rotation = new CredentialRotation(dataSource, aAndB);

        QuarkusTransaction.requiringNew().run(() -> {
            AccountEntity loaded = accounts.findById(id); // read before the rotation, still on key a
            assertThat(loaded.passwordKeyId).isEqualTo("a");
            assertThat(rotation.reencryptOldKeys(10)).isEqualTo(new CredentialRotation.Report(1, 0));
            loaded.name = "renamed while rotating";
        });

        assertEveryPasswordOnKeyBDecryptingWithoutKeyA();
        as(owner).get("/v1/accounts/{a}", id).then().statusCode(200).body("name", equalTo("renamed while rotating"));
    }

    @Test
    void the_service_counts_accounts_per_key_id_and_a_production_start_needs_every_used_key() throws Exception {
        accountsOnKeyA(3); // key a is not configured in this instance (its only key is "test")

        assertThat(keyRotation.refreshCounts()).containsEntry("a", 3L);
        assertThat(RestAssured.get("/q/metrics")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString())
                .contains("mailsync_credentials_accounts{key_id=\"a\"} 3.0");
        assertThatThrownBy(() -> keyRotation.verifyKeys(true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a (3 accounts)")
                .hasMessageContaining("mailsync.credentials.allow-missing-keys");
        keyRotation.verifyKeys(false); // dev and test only warn
        as(owner).get("/v1/admin/credential-keys").then().statusCode(403);
        RestAssured.given()
                .auth()
                .oauth2(Tokens.admin(owner))
                .get("/v1/admin/credential-keys")
                .then()
                .statusCode(200)
                .body("activeKeyId", equalTo("test"))
                .body("keys.find { it.keyId == 'a' }.configured", equalTo(false))
                .body("keys.find { it.keyId == 'a' }.active", equalTo(false))
                .body("keys.find { it.keyId == 'a' }.accounts", equalTo(3))
                .body("keys.find { it.keyId == 'test' }.configured", equalTo(true))
                .body("keys.find { it.keyId == 'test' }.active", equalTo(true));

        removeAccounts();
        passwords.clear();
        assertThat(keyRotation.refreshCounts()).doesNotContainKey("a");
        assertThat(RestAssured.get("/q/metrics").then().extract().asString())
                .contains("mailsync_credentials_accounts{key_id=\"a\"} 0.0");
        keyRotation.verifyKeys(true);
    }
}
