package dev.mailsync.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A test profile with no sync worker running, so every state of the queue and the mirror can be looked at. */
public class NoWorkers implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mailsync.jobs.enabled", "false");
    }
}
