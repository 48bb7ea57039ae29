package dev.embedflow.http;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Exponential backoff with jitter that never waits less than a {@code Retry-After} asks: the
 * embedding providers' and the Q&A service's LLM client's.
 */
@PublicEvolving
public final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private final double multiplier;
    private final double jitter;
    private final RandomGenerator random;

    public Backoff(
            Duration initial,
            Duration max,
            double multiplier,
            double jitter,
            RandomGenerator random) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.random = random;
    }

    /**
     * The wait before retry number {@code retry} (1 for the first retry): {@code initial *
     * multiplier^(retry-1)}, capped at max, spread by ±jitter, and at least {@code retryAfter}.
     */
    public Duration delay(int retry, Optional<Duration> retryAfter) {
        double base = initialNanos * Math.pow(multiplier, Math.max(0, retry - 1));
        base = Math.min(base, maxNanos);
        double spread = 1.0 + jitter * (2 * random.nextDouble() - 1);
        long nanos = (long) (base * spread);
        long asked = retryAfter.map(Duration::toNanos).orElse(0L);
        return Duration.ofNanos(Math.max(nanos, asked));
    }
}
