package dev.embedflow.embedding.internal;

import dev.embedflow.embedding.Outcome;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The embedding layer's metrics, under the group it is given: {@code requests}, {@code texts},
 * {@code tokens} (estimated), {@code embedded}, {@code deadLettered}, {@code cancelled} (texts
 * whose record timed out in Flink's async operator), histograms {@code batchSize} and {@code
 * latencyMillis}, {@code retries.<outcome>} (one counter per cause, splits included) and gauges
 * {@code inFlight} and {@code inFlightLimit}.
 */
@Internal
public final class EmbeddingMetrics {

    private static final int HISTOGRAM_WINDOW = 1000;

    final Counter requests;
    final Counter texts;
    final Counter tokens;
    final Counter embedded;
    final Counter deadLettered;
    final Counter cancelled;
    final Histogram batchSize;
    final Histogram latencyMillis;
    private final Map<Outcome, Counter> retries = new EnumMap<>(Outcome.class);

    public EmbeddingMetrics(MetricGroup group, IntSupplier inFlight, IntSupplier inFlightLimit) {
        requests = group.counter("requests");
        texts = group.counter("texts");
        tokens = group.counter("tokens");
        embedded = group.counter("embedded");
        deadLettered = group.counter("deadLettered");
        cancelled = group.counter("cancelled");
        batchSize =
                group.histogram("batchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        latencyMillis =
                group.histogram(
                        "latencyMillis", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        MetricGroup retryGroup = group.addGroup("retries");
        for (Outcome outcome : Outcome.values()) {
            if (outcome != Outcome.SUCCESS && outcome != Outcome.FATAL) {
                retries.put(outcome, retryGroup.counter(outcome.name().toLowerCase(Locale.ROOT)));
            }
        }
        group.gauge("inFlight", (Gauge<Integer>) inFlight::getAsInt);
        group.gauge("inFlightLimit", (Gauge<Integer>) inFlightLimit::getAsInt);
    }

    void retried(Outcome cause) {
        Counter c = retries.get(cause);
        if (c != null) {
            c.inc();
        }
    }
}
