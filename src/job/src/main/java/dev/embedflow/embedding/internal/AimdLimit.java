package dev.embedflow.embedding.internal;

import org.apache.flink.annotation.Internal;

/**
 * The adaptive in-flight limit: halves (at least 1) when the service rate-limits, grows by one per
 * success up to the configured maximum (additive increase, multiplicative decrease). Only a request
 * sent after the last decrease can decrease it again, so that one burst of 429s answering requests
 * sent together halves it once, not once per request. Not thread-safe: the dispatcher's single
 * thread owns it.
 */
@Internal
public final class AimdLimit {

    private final int max;
    private volatile int current;
    private long lastDecreaseNanos = Long.MIN_VALUE;

    public AimdLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, got " + max);
        }
        this.max = max;
        this.current = max;
    }

    /** The current limit; safe to read from any thread (for the metric gauge). */
    public int current() {
        return current;
    }

    public int max() {
        return max;
    }

    /** A request succeeded. */
    public void onSuccess() {
        if (current < max) {
            current++;
        }
    }

    /** A request sent at {@code sentNanos} was rate-limited at {@code nowNanos}. */
    public void onRateLimited(long sentNanos, long nowNanos) {
        if (lastDecreaseNanos == Long.MIN_VALUE || sentNanos - lastDecreaseNanos >= 0) {
            current = Math.max(1, current / 2);
            lastDecreaseNanos = nowNanos;
        }
    }
}
