package dev.embedflow.sink.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.annotation.Internal;

/** Exponential backoff with full jitter in its upper half: attempt n waits ~initial * 2^(n-1). */
@Internal
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff needs 0 < initial <= max, not " + initial + " / " + max);
        }
    }

    /** The delay before retry number {@code attempt} (1-based), in milliseconds. */
    public long delayMillis(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long base = Math.min(max.toMillis(), initial.toMillis() << shift);
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }
}
