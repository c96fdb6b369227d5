package dev.mailsync.store;

import dev.mailsync.sync.Device;
import dev.mailsync.sync.DeviceView;
import dev.mailsync.sync.Page;
import dev.mailsync.sync.Platform;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.Optional;

/** Devices in PostgreSQL. Callers check the account's owner first; devices are scoped by account. */
@ApplicationScoped
public class DeviceRepository implements PanacheRepositoryBase<DeviceEntity, String> {

    public Device insert(Device device) {
        DeviceEntity e = new DeviceEntity();
        e.id = device.id();
        e.accountId = device.accountId();
        e.createdAt = device.createdAt();
        copySettings(device, e);
        persist(e);
        return toDevice(e);
    }

    public Optional<Device> findInAccount(String accountId, String deviceId) {
        return find("id = ?1 and accountId = ?2", deviceId, accountId)
                .firstResultOptional()
                .map(DeviceRepository::toDevice);
    }

    public Page<Device> page(String accountId, String cursor, int limit) {
        return Keyset.page(
                this,
                "accountId = :account",
                Parameters.with("account", accountId),
                cursor,
                limit,
                e -> e.createdAt,
                e -> e.id,
                DeviceRepository::toDevice);
    }

    public Device update(Device device) {
        DeviceEntity e = findById(device.id());
        copySettings(device, e);
        return toDevice(e);
    }

    public boolean deleteInAccount(String accountId, String deviceId) {
        return delete("id = ?1 and accountId = ?2", deviceId, accountId) > 0;
    }

    /** Some device of the account (the oldest), for work that needs one: a sync the system schedules. */
    public Optional<String> anyDeviceOf(String accountId) {
        return find("accountId = ?1 order by createdAt", accountId)
                .firstResultOptional()
                .map(e -> e.id);
    }

    /** The views of all devices of an account: a refresh covers their union. */
    public java.util.List<DeviceView> viewsOf(String accountId) {
        return find("accountId", accountId).stream()
                .map(e -> toDevice(e).view())
                .toList();
    }

    public long countInAccount(String accountId) {
        return count("accountId", accountId);
    }

    private static void copySettings(Device d, DeviceEntity e) {
        if (!java.util.Objects.equals(e.syncIntervalSeconds, d.syncIntervalSeconds())) {
            // A new interval starts now: the first scheduled sync comes at once.
            e.nextSyncAt = d.syncIntervalSeconds() == null ? null : d.updatedAt();
        }
        e.name = d.name();
        e.platform = d.platform().name();
        DeviceView view = d.view() == null ? DeviceView.EVERYTHING : d.view();
        e.viewFolders = view.folders() == null ? null : view.folders().toArray(String[]::new);
        e.viewWindowDays = view.windowDays();
        e.viewMaxPerFolder = view.maxPerFolder();
        e.syncIntervalSeconds = d.syncIntervalSeconds();
        e.updatedAt = d.updatedAt();
    }

    static Device toDevice(DeviceEntity e) {
        return new Device(
                e.id,
                e.accountId,
                e.name,
                Platform.valueOf(e.platform),
                new DeviceView(
                        e.viewFolders == null ? null : Arrays.asList(e.viewFolders),
                        e.viewWindowDays,
                        e.viewMaxPerFolder),
                e.syncIntervalSeconds,
                e.createdAt,
                e.updatedAt);
    }
}
