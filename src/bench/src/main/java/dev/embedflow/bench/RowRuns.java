package dev.embedflow.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * A row measured several times, as the rows with targets are: the row is the run of median rate and
 * its note gives the spread. The caller runs a warm-up first, not counted, shared by the rows of
 * one kind: this JVM's JIT and OpenSearch's are cold for a job the benchmark has not yet run (here
 * the streaming job's first 20,000-event run used 20 s of this JVM's CPU, its later ones 5 to 8 s).
 *
 * @param <T> what one run measures
 */
final class RowRuns<T> {

    /** One run; {@code run} is 1, 2, ... (for topic and index names). */
    @FunctionalInterface
    interface Run<T> {
        T run(int run) throws Exception;
    }

    private final List<T> counted;
    private final ToDoubleFunction<T> rate;

    private RowRuns(List<T> counted, ToDoubleFunction<T> rate) {
        this.counted = List.copyOf(counted);
        this.rate = rate;
    }

    /** Runs {@code run} {@code runs} times, telling {@code progress} which run starts. */
    static <T> RowRuns<T> measure(
            String id, int runs, ToDoubleFunction<T> rate, Consumer<String> progress, Run<T> run)
            throws Exception {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        }
        List<T> counted = new ArrayList<>();
        for (int n = 1; n <= runs; n++) {
            progress.accept("    " + id + " run " + n + " of " + runs + "...");
            counted.add(run.run(n));
        }
        return new RowRuns<>(counted, rate);
    }

    /** The counted run of median rate (of an even count, the upper one). */
    T median() {
        List<T> sorted = counted.stream().sorted(Comparator.comparingDouble(rate)).toList();
        return sorted.get(sorted.size() / 2);
    }

    /**
     * For the row's note: {@code median of 3 runs (lowest-highest unit/s)}, or nothing for one run.
     */
    String spread(String unit) {
        if (counted.size() < 2) {
            return "";
        }
        double low = counted.stream().mapToDouble(rate).min().orElseThrow();
        double high = counted.stream().mapToDouble(rate).max().orElseThrow();
        return String.format(
                Locale.ROOT, "median of %d runs (%.0f-%.0f %s/s)", counted.size(), low, high, unit);
    }

    /**
     * The row's note: the {@linkplain #spread spread} (if more than one run) before {@code note}.
     */
    String withSpread(String unit, String note) {
        String spread = spread(unit);
        return spread.isEmpty() ? note : spread + "; " + note;
    }
}
