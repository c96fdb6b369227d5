package dev.mailsync.sync;

import java.util.List;

/**
 * The part of the mailbox a device wants: some folders (null = all), a window of the last N days
 * (null = no limit) and at most N newest messages per folder (null = no limit).
 */
public record DeviceView(List<String> folders, Integer windowDays, Integer maxPerFolder) {

    public static final DeviceView EVERYTHING = new DeviceView(null, null, null);

    public DeviceView {
        folders = folders == null ? null : List.copyOf(folders);
    }
}
