package dev.mailsync.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Rotation of the credentials-encryption key: re-encrypts the passwords still sealed with a configured
 * key other than the active one, in short batches, each its own transaction. A batch locks its rows
 * with {@code FOR UPDATE SKIP LOCKED}, so replicas running at the same time share the rows instead of
 * waiting on each other, and each row is rewritten once; a row already on the active key is never
 * selected, so running again changes nothing (idempotent). Only the two password columns are written:
 * the account's version and {@code updated_at} stay, and the entity is {@code @DynamicUpdate}, so a
 * concurrent settings change neither fails nor writes the old ciphertext back.
 */
@ApplicationScoped
public class CredentialRotation {
    private static final Logger LOG = Logger.getLogger(CredentialRotation.class);

    private final AgroalDataSource dataSource;
    private final CredentialCipher cipher;

    @Inject
    public CredentialRotation(AgroalDataSource dataSource, CredentialCipher cipher) {
        this.dataSource = dataSource;
        this.cipher = cipher;
    }

    /** What one pass did: passwords moved to the active key, and rows left alone because they did not decrypt. */
    public record Report(int reencrypted, int failed) {}

    /** The key ids this instance re-encrypts from: every configured key but the active one. */
    public Set<String> oldKeyIds() {
        Set<String> old = new TreeSet<>(cipher.keyIds());
        old.remove(cipher.activeKeyId());
        return old;
    }

    /**
     * Re-encrypts every password on an old configured key, {@code batchSize} rows per transaction, in
     * id order. Rows locked by another replica are skipped (that replica rewrites them); a row that does
     * not decrypt is logged by account id and key id and left as it is.
     */
    public Report reencryptOldKeys(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive: " + batchSize);
        }
        Set<String> old = oldKeyIds();
        if (old.isEmpty()) {
            return new Report(0, 0);
        }
        String after = "";
        int reencrypted = 0;
        int failed = 0;
        while (true) {
            String from = after;
            Batch batch = Tx.call(() -> reencryptBatch(old, from, batchSize));
            reencrypted += batch.reencrypted();
            failed += batch.failed();
            if (batch.lastId() == null) {
                return new Report(reencrypted, failed);
            }
            after = batch.lastId();
        }
    }

    private record Batch(String lastId, int reencrypted, int failed) {}

    private record Row(String id, CredentialCipher.Sealed sealed) {}

    /** One transaction: lock up to {@code limit} rows after {@code afterId} on an old key and rewrite them. */
    private Batch reencryptBatch(Set<String> oldKeyIds, String afterId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, password_key_id, password_ciphertext FROM account"
                    + " WHERE password_key_id = ANY (?) AND id > ?"
                    + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
                s.setArray(1, Jdbc.textArray(c, oldKeyIds));
                s.setString(2, afterId);
                s.setInt(3, limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        rows.add(new Row(
                                r.getString("id"),
                                new CredentialCipher.Sealed(
                                        r.getString("password_key_id"), r.getBytes("password_ciphertext"))));
                    }
                }
            }
            if (rows.isEmpty()) {
                return new Batch(null, 0, 0);
            }
            int done = 0;
            int failed = 0;
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE account SET password_key_id = ?, password_ciphertext = ? WHERE id = ?")) {
                for (Row row : rows) {
                    CredentialCipher.Sealed resealed;
                    try {
                        resealed = cipher.reseal(row.id(), row.sealed());
                    } catch (IllegalStateException e) {
                        // The message names the account and the key id, never the password.
                        LOG.warnf(
                                "key rotation left account %s on key id %s: %s",
                                row.id(), row.sealed().keyId(), e.getMessage());
                        failed++;
                        continue;
                    }
                    u.setString(1, resealed.keyId());
                    u.setBytes(2, resealed.ciphertext());
                    u.setString(3, row.id());
                    u.addBatch();
                    done++;
                }
                if (done > 0) {
                    u.executeBatch();
                }
            }
            return new Batch(rows.get(rows.size() - 1).id(), done, failed);
        }
    }

    /** How many accounts have their password sealed with each key id, configured or not. */
    public Map<String, Long> accountsByKeyId() {
        return Tx.call(() -> {
            Map<String, Long> counts = new TreeMap<>();
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement(
                            "SELECT password_key_id, count(*) FROM account GROUP BY password_key_id");
                    ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    counts.put(r.getString(1), r.getLong(2));
                }
            }
            return counts;
        });
    }

    /** Key ids that passwords still use but this instance has no key for, with their account counts. */
    public Map<String, Long> missingKeys() {
        Map<String, Long> missing = new TreeMap<>(accountsByKeyId());
        missing.keySet().removeAll(cipher.keyIds());
        return missing;
    }
}
