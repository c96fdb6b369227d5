package dev.mailsync.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @Test
    void delays_double_per_attempt_up_to_the_cap() {
        Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(60), fixed(0.5)); // no jitter
        assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.after(3)).isEqualTo(Duration.ofSeconds(20));
        assertThat(backoff.after(10)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void jitter_stays_within_twenty_percent() {
        assertThat(new Backoff(Duration.ofSeconds(10), Duration.ofHours(1), fixed(0.0)).after(1))
                .isEqualTo(Duration.ofSeconds(8));
        assertThat(new Backoff(Duration.ofSeconds(10), Duration.ofHours(1), fixed(0.999999)).after(1))
                .isBetween(Duration.ofMillis(11_990), Duration.ofSeconds(12));
    }
}
