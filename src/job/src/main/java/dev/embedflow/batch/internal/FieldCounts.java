package dev.embedflow.batch.internal;

import java.util.TreeMap;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.accumulators.Accumulator;

/**
 * How many documents took their text from each record field (a JSON pointer, a column): the batch
 * summary's "text from" line, summed over subtasks.
 */
@Internal
public final class FieldCounts implements Accumulator<String, TreeMap<String, Long>> {

    private static final long serialVersionUID = 1L;

    private TreeMap<String, Long> counts = new TreeMap<>();

    @Override
    public void add(String field) {
        counts.merge(field, 1L, Long::sum);
    }

    @Override
    public TreeMap<String, Long> getLocalValue() {
        return counts;
    }

    @Override
    public void resetLocal() {
        counts = new TreeMap<>();
    }

    @Override
    public void merge(Accumulator<String, TreeMap<String, Long>> other) {
        other.getLocalValue().forEach((field, n) -> counts.merge(field, n, Long::sum));
    }

    @Override
    public FieldCounts clone() {
        FieldCounts copy = new FieldCounts();
        copy.counts = new TreeMap<>(counts);
        return copy;
    }
}
