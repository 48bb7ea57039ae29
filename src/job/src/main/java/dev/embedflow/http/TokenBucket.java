package dev.embedflow.http;

import org.apache.flink.annotation.Internal;

/**
 * A token bucket: {@code ratePerSecond} permits refill continuously up to {@code capacity}; time
 * comes from the caller. Not thread-safe: the embedding dispatcher's single thread owns its
 * buckets, and the benchmarks' hosted-API stand-in guards its own.
 */
@Internal
public final class TokenBucket {

    private final double ratePerNano;
    private final double capacity;
    private double available;
    private long lastRefillNanos;

    public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        if (!(ratePerSecond > 0) || !(capacity >= 1)) {
            throw new IllegalArgumentException(
                    "rate must be > 0 and capacity >= 1, got " + ratePerSecond + ", " + capacity);
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.available = capacity;
        this.lastRefillNanos = nowNanos;
    }

    /** The most permits the bucket holds. */
    public double capacity() {
        return capacity;
    }

    /**
     * Nanoseconds until {@code permits} are available (0: now). More permits than the capacity wait
     * for a full bucket.
     */
    public long nanosUntilAvailable(double permits, long nowNanos) {
        refill(nowNanos);
        double needed = Math.min(permits, capacity) - available;
        return needed <= 0 ? 0 : (long) Math.ceil(needed / ratePerNano);
    }

    /** Permits that could be taken now (negative while in debt). */
    public double available(long nowNanos) {
        refill(nowNanos);
        return available;
    }

    /** Takes {@code permits} (the bucket may go into debt when more than the capacity). */
    public void take(double permits, long nowNanos) {
        refill(nowNanos);
        available -= permits;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            available = Math.min(capacity, available + elapsed * ratePerNano);
            lastRefillNanos = nowNanos;
        }
    }
}
