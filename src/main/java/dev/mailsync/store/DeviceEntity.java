package dev.mailsync.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** Row of table {@code device}. Never leaves the store package. */
@Entity
@Table(name = "device")
public class DeviceEntity {
    @Id
    public String id;

    @Column(name = "account_id")
    public String accountId;

    public String name;
    public String platform;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "view_folders", columnDefinition = "text[]")
    public String[] viewFolders;

    @Column(name = "view_window_days")
    public Integer viewWindowDays;

    @Column(name = "view_max_per_folder")
    public Integer viewMaxPerFolder;

    @Column(name = "sync_interval_seconds")
    public Integer syncIntervalSeconds;

    /** When the schedule next enqueues a job; null without a sync interval. */
    @Column(name = "next_sync_at")
    public Instant nextSyncAt;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Version
    public long version;
}
