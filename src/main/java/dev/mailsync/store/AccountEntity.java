package dev.mailsync.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import org.hibernate.annotations.DynamicUpdate;

/**
 * Row of table {@code account}. Never leaves the store package. Updates write only the changed columns,
 * so a settings change does not write back a password that key rotation re-encrypted meanwhile.
 */
@Entity
@DynamicUpdate
@Table(name = "account")
public class AccountEntity {
    @Id
    public String id;

    public String owner;
    public String name;
    public String protocol;
    public String host;
    public int port;
    public String security;
    public String username;

    @Column(name = "password_ciphertext")
    public byte[] passwordCiphertext;

    @Column(name = "password_key_id")
    public String passwordKeyId;

    @Column(name = "pop3_retention_policy")
    public String pop3RetentionPolicy;

    @Column(name = "pop3_retention_days")
    public Integer pop3RetentionDays;

    @Column(name = "delete_on_server_when_deleted_on_device")
    public boolean deleteOnServerWhenDeletedOnDevice;

    @Column(name = "imap_delete_mode")
    public String imapDeleteMode;

    @Column(name = "last_error_code")
    public String lastErrorCode;

    @Column(name = "last_error_detail")
    public String lastErrorDetail;

    @Column(name = "last_error_at")
    public Instant lastErrorAt;

    @Column(name = "last_sync_at")
    public Instant lastSyncAt;

    @Column(name = "quota_used_kb")
    public Long quotaUsedKb;

    @Column(name = "quota_limit_kb")
    public Long quotaLimitKb;

    @Column(name = "quota_at")
    public Instant quotaAt;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Version
    public long version;
}
