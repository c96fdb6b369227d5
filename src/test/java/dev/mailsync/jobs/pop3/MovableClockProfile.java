package dev.mailsync.jobs.pop3;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Set;

/** A test profile whose service clock is the {@link MovableClock}. */
public class MovableClockProfile implements QuarkusTestProfile {
    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(MovableClock.class);
    }
}
