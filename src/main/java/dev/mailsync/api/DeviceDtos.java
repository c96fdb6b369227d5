package dev.mailsync.api;

import dev.mailsync.service.DeviceSettings;
import dev.mailsync.sync.Device;
import dev.mailsync.sync.DeviceView;
import dev.mailsync.sync.Platform;
import java.time.Instant;
import java.util.List;

/** JSON shapes of the device endpoints (schemas DeviceCreate, DevicePatch, Device in openapi.yaml). */
final class DeviceDtos {
    private DeviceDtos() {}

    record ViewDto(List<String> folders, Integer windowDays, Integer maxPerFolder) {
        static ViewDto of(DeviceView v) {
            return v == null ? null : new ViewDto(v.folders(), v.windowDays(), v.maxPerFolder());
        }

        DeviceView toView() {
            return new DeviceView(folders, windowDays, maxPerFolder);
        }
    }

    /** Request body of create, and the document a merge patch is applied to. */
    record DeviceInput(String name, Platform platform, ViewDto view, Integer syncIntervalSeconds) {
        DeviceSettings toSettings() {
            return new DeviceSettings(name, platform, view == null ? null : view.toView(), syncIntervalSeconds);
        }

        static DeviceInput of(DeviceSettings s) {
            return new DeviceInput(s.name(), s.platform(), ViewDto.of(s.view()), s.syncIntervalSeconds());
        }
    }

    record DeviceResponse(
            String id,
            String accountId,
            String name,
            Platform platform,
            ViewDto view,
            Integer syncIntervalSeconds,
            Instant createdAt,
            Instant updatedAt) {
        static DeviceResponse of(Device d) {
            return new DeviceResponse(
                    d.id(),
                    d.accountId(),
                    d.name(),
                    d.platform(),
                    ViewDto.of(d.view()),
                    d.syncIntervalSeconds(),
                    d.createdAt(),
                    d.updatedAt());
        }
    }
}
