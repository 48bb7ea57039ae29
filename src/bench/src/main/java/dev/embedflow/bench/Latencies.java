package dev.embedflow.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * Latency samples (milliseconds) and their percentiles by the nearest-rank method: the p-th
 * percentile is the smallest sample that at least p percent of the samples do not exceed.
 */
public final class Latencies {

    private final long[] sorted;

    public Latencies(Collection<Long> millis) {
        this.sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    public int count() {
        return sorted.length;
    }

    /** The nearest-rank percentile, {@code 0 < p <= 100}; there must be at least one sample. */
    public long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("p must be in (0, 100], got " + p);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no samples");
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    public long max() {
        return percentile(100);
    }

    /** For example {@code p50 1.23 s, p99 2.05 s}, or {@code no samples}. */
    public String summary() {
        if (sorted.length == 0) {
            return "no samples";
        }
        return String.format(
                Locale.ROOT,
                "p50 %.2f s, p99 %.2f s",
                percentile(50) / 1000.0,
                percentile(99) / 1000.0);
    }

    /** For example {@code p50 12 ms, p99 40 ms}, or {@code no samples}. */
    public String summaryMillis() {
        if (sorted.length == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %d ms, p99 %d ms", percentile(50), percentile(99));
    }

    @Override
    public String toString() {
        return "Latencies" + Arrays.toString(sorted);
    }
}
