package dev.mailsync.sync;

import java.time.Duration;
import java.time.Instant;

/** Whether a message is inside a device's view. Pure; "now" is passed in. */
public final class ViewRules {
    private ViewRules() {}

    public static boolean folderVisible(DeviceView view, String folderName) {
        return view.folders() == null || view.folders().contains(folderName);
    }

    /**
     * @param newerInFolder how many live messages of the same folder are newer (by internal date); only
     *     read when the view has a maximum per folder
     */
    public static boolean messageVisible(
            DeviceView view, String folderName, Instant internalDate, long newerInFolder, Instant now) {
        if (!folderVisible(view, folderName)) {
            return false;
        }
        if (view.windowDays() != null) {
            Instant from = now.minus(Duration.ofDays(view.windowDays()));
            if (internalDate == null || internalDate.isBefore(from)) {
                return false;
            }
        }
        return view.maxPerFolder() == null || newerInFolder < view.maxPerFolder();
    }
}
