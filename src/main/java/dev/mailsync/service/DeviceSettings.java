package dev.mailsync.service;

import dev.mailsync.sync.DeviceView;
import dev.mailsync.sync.Platform;

/** The settings a user writes for a device, as given (nulls where omitted). */
public record DeviceSettings(String name, Platform platform, DeviceView view, Integer syncIntervalSeconds) {}
