package dev.embedflow.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.http.Backoff;
import dev.embedflow.http.TokenBucket;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** AIMD in-flight limit, token bucket and backoff. */
class RateControlTest {

    private static final long MS = 1_000_000L;

    @Test
    void inFlightLimitHalvesOnRateLimitAndGrowsBackByOnePerSuccess() {
        AimdLimit limit = new AimdLimit(8);

        limit.onRateLimited(0, 10 * MS);
        assertThat(limit.current()).isEqualTo(4);
        limit.onRateLimited(20 * MS, 30 * MS);
        limit.onRateLimited(40 * MS, 50 * MS);
        limit.onRateLimited(60 * MS, 70 * MS);
        assertThat(limit.current()).isEqualTo(1);

        for (int i = 0; i < 3; i++) {
            limit.onSuccess();
        }
        assertThat(limit.current()).isEqualTo(4);
        for (int i = 0; i < 10; i++) {
            limit.onSuccess();
        }
        assertThat(limit.current()).isEqualTo(8);
    }

    @Test
    void aBurstOf429sToRequestsSentTogetherHalvesTheLimitOnce() {
        AimdLimit limit = new AimdLimit(8);

        // four requests sent at t=0..3ms all answered 429 after the first decrease at t=10ms
        limit.onRateLimited(0, 10 * MS);
        limit.onRateLimited(1 * MS, 11 * MS);
        limit.onRateLimited(2 * MS, 12 * MS);
        limit.onRateLimited(3 * MS, 13 * MS);

        assertThat(limit.current()).isEqualTo(4);
    }

    @Test
    void tokenBucketSpreadsPermitsAtItsRate() {
        TokenBucket bucket = new TokenBucket(10, 1, 0);

        assertThat(bucket.nanosUntilAvailable(1, 0)).isZero();
        bucket.take(1, 0);
        assertThat(bucket.nanosUntilAvailable(1, 0)).isEqualTo(100 * MS);
        assertThat(bucket.nanosUntilAvailable(1, 60 * MS)).isEqualTo(40 * MS);
        assertThat(bucket.nanosUntilAvailable(1, 100 * MS)).isZero();
    }

    @Test
    void backoffGrowsIsCappedAndNeverShorterThanRetryAfter() {
        Backoff backoff =
                new Backoff(
                        Duration.ofMillis(100),
                        Duration.ofSeconds(1),
                        2.0,
                        0.0,
                        new SplittableRandom(1));

        assertThat(backoff.delay(1, Optional.empty())).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(3, Optional.empty())).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.delay(10, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(1, Optional.of(Duration.ofSeconds(5))))
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void jitterSpreadsTheWaitWithinItsBounds() {
        Backoff backoff =
                new Backoff(
                        Duration.ofMillis(1000),
                        Duration.ofSeconds(10),
                        2.0,
                        0.2,
                        new SplittableRandom(7));

        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 200; i++) {
            long ms = backoff.delay(1, Optional.empty()).toMillis();
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertThat(min).isBetween(800L, 900L);
        assertThat(max).isBetween(1100L, 1200L);
    }
}
