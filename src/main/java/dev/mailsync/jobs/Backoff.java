package dev.mailsync.jobs;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with ±20 % jitter, so retries of many accounts do not arrive in lockstep. */
final class Backoff {
    private final Duration base;
    private final Duration max;
    private final RandomGenerator random;

    Backoff(Duration base, Duration max, RandomGenerator random) {
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** The delay before attempt {@code attempt + 1}, after {@code attempt} failed attempts (1-based). */
    Duration after(int attempt) {
        double exponential = base.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
        double capped = Math.min(exponential, max.toMillis());
        double jitter = 0.8 + 0.4 * random.nextDouble();
        return Duration.ofMillis(Math.round(capped * jitter));
    }
}
