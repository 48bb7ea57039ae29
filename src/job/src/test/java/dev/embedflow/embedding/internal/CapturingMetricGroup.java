package dev.embedflow.embedding.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** A metric group that keeps what is registered, by dotted name, so tests can read metrics. */
public final class CapturingMetricGroup extends UnregisteredMetricsGroup {

    private final String prefix;
    private final Map<String, Object> metrics;

    public CapturingMetricGroup() {
        this("", new ConcurrentHashMap<>());
    }

    private CapturingMetricGroup(String prefix, Map<String, Object> metrics) {
        this.prefix = prefix;
        this.metrics = metrics;
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        metrics.put(prefix + name, counter);
        return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        metrics.put(prefix + name, gauge);
        return gauge;
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
        metrics.put(prefix + name, histogram);
        return histogram;
    }

    @Override
    public MetricGroup addGroup(String name) {
        return new CapturingMetricGroup(prefix + name + ".", metrics);
    }

    public long count(String name) {
        return ((Counter) require(name)).getCount();
    }

    public Object gaugeValue(String name) {
        return ((Gauge<?>) require(name)).getValue();
    }

    public Histogram histogram(String name) {
        return (Histogram) require(name);
    }

    private Object require(String name) {
        Object metric = metrics.get(name);
        if (metric == null) {
            throw new AssertionError("no metric " + name + " in " + metrics.keySet());
        }
        return metric;
    }
}
