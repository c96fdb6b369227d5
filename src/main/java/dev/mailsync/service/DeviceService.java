package dev.mailsync.service;

import dev.mailsync.store.DeltaStore;
import dev.mailsync.store.DeviceRepository;
import dev.mailsync.store.Ids;
import dev.mailsync.store.Tx;
import dev.mailsync.sync.Device;
import dev.mailsync.sync.DeviceView;
import dev.mailsync.sync.Page;
import dev.mailsync.sync.ViewRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/** Devices of an account. Every call first proves the account belongs to the caller. */
@ApplicationScoped
public class DeviceService {
    private static final Logger LOG = Logger.getLogger(DeviceService.class);

    private final AccountService accounts;
    private final DeviceRepository devices;
    private final DeltaStore deltas;
    private final Clock clock;

    @Inject
    public DeviceService(AccountService accounts, DeviceRepository devices, DeltaStore deltas, Clock clock) {
        this.accounts = accounts;
        this.devices = devices;
        this.deltas = deltas;
        this.clock = clock;
    }

    public Device create(String owner, String accountId, DeviceSettings settings) {
        return Tx.call(() -> {
            accounts.owned(owner, accountId);
            validate(settings);
            Instant now = now();
            Device device = devices.insert(new Device(
                    Ids.next("dev"),
                    accountId,
                    settings.name(),
                    settings.platform(),
                    viewOf(settings),
                    settings.syncIntervalSeconds(),
                    now,
                    now));
            LOG.infof("device %s created in account %s", device.id(), accountId);
            return device;
        });
    }

    public Page<Device> list(String owner, String accountId, String cursor, int limit) {
        return Tx.call(() -> {
            accounts.owned(owner, accountId);
            return Cursors.guard(() -> devices.page(accountId, cursor, limit));
        });
    }

    public Device get(String owner, String accountId, String deviceId) {
        return Tx.call(() -> {
            accounts.owned(owner, accountId);
            return owned(accountId, deviceId);
        });
    }

    public Device update(String owner, String accountId, String deviceId, UnaryOperator<DeviceSettings> change) {
        return Tx.call(() -> {
            accounts.owned(owner, accountId);
            Device current = owned(accountId, deviceId);
            DeviceSettings next = change.apply(settingsOf(current));
            validate(next);
            Device saved = devices.update(new Device(
                    current.id(),
                    accountId,
                    next.name(),
                    next.platform(),
                    viewOf(next),
                    next.syncIntervalSeconds(),
                    current.createdAt(),
                    now()));
            if (!current.view().equals(saved.view())) {
                resendWidened(accountId, deviceId, current.view(), saved.view());
            }
            LOG.infof("device %s updated", deviceId);
            return saved;
        });
    }

    /**
     * A widened view (more folders, a longer window, a higher maximum per folder) makes messages and
     * folders visible that did not change: they are queued as news for this device, in the same
     * transaction as the view, so its next {@code changes} brings them as {@code created}.
     */
    private void resendWidened(String accountId, String deviceId, DeviceView before, DeviceView after) {
        Instant now = clock.instant();
        try {
            List<String> messages = deltas.visibility(accountId, deviceId).stream()
                    .filter(m ->
                            ViewRules.messageVisible(after, m.folderName(), m.internalDate(), m.newerInFolder(), now)
                                    && !ViewRules.messageVisible(
                                            before, m.folderName(), m.internalDate(), m.newerInFolder(), now))
                    .map(DeltaStore.Visibility::id)
                    .toList();
            List<String> folders = deltas.liveFolders(accountId).stream()
                    .filter(f -> ViewRules.folderVisible(after, f.name()) && !ViewRules.folderVisible(before, f.name()))
                    .map(DeltaStore.FolderRow::id)
                    .toList();
            deltas.resend(accountId, deviceId, folders, messages);
            if (!messages.isEmpty() || !folders.isEmpty()) {
                LOG.infof(
                        "device %s: view widened, %d messages and %d folders come as news",
                        deviceId, messages.size(), folders.size());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database failure: " + e.getMessage(), e);
        }
    }

    public void delete(String owner, String accountId, String deviceId) {
        Tx.run(() -> {
            accounts.owned(owner, accountId);
            if (!devices.deleteInAccount(accountId, deviceId)) {
                throw notFound(deviceId);
            }
            LOG.infof("device %s deleted from account %s", deviceId, accountId);
        });
    }

    public static DeviceSettings settingsOf(Device d) {
        DeviceView view = d.view();
        boolean everything = view.folders() == null && view.windowDays() == null && view.maxPerFolder() == null;
        return new DeviceSettings(d.name(), d.platform(), everything ? null : view, d.syncIntervalSeconds());
    }

    private Device owned(String accountId, String deviceId) {
        return devices.findInAccount(accountId, deviceId).orElseThrow(() -> notFound(deviceId));
    }

    private static NotFoundException notFound(String deviceId) {
        return new NotFoundException("no device " + deviceId);
    }

    private static DeviceView viewOf(DeviceSettings s) {
        return s.view() == null ? DeviceView.EVERYTHING : s.view();
    }

    private static void validate(DeviceSettings s) {
        Validator v = new Validator()
                .required("name", s.name())
                .text("name", s.name(), 1, 100)
                .required("platform", s.platform())
                .range("syncIntervalSeconds", s.syncIntervalSeconds(), 60, 86400);
        DeviceView view = s.view();
        if (view != null) {
            v.range("view.windowDays", view.windowDays(), 1, 36500)
                    .range("view.maxPerFolder", view.maxPerFolder(), 1, 100000);
            if (view.folders() != null) {
                v.check(
                        !view.folders().isEmpty() && view.folders().size() <= 1000,
                        "view.folders",
                        "must name 1 to 1000 folders");
                for (int i = 0; i < view.folders().size(); i++) {
                    String folder = view.folders().get(i);
                    v.required("view.folders[" + i + "]", folder).text("view.folders[" + i + "]", folder, 1, 1000);
                }
            }
        }
        v.throwIfInvalid();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
