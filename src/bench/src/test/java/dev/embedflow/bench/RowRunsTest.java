package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowRunsTest {

    @Test
    void theRowIsTheMedianRunAndItsNoteTheSpread() throws Exception {
        double[] rates = {0, 300, 100, 200};
        List<Integer> started = new ArrayList<>();
        List<String> progress = new ArrayList<>();

        RowRuns<Double> runs =
                RowRuns.measure(
                        "2b",
                        3,
                        rate -> rate,
                        progress::add,
                        n -> {
                            started.add(n);
                            return rates[n];
                        });

        assertThat(started).containsExactly(1, 2, 3);
        assertThat(runs.median()).isEqualTo(200);
        assertThat(runs.spread("events")).isEqualTo("median of 3 runs (100-300 events/s)");
        assertThat(progress).last().asString().contains("2b run 3 of 3");
    }

    @Test
    void oneRunIsTheRowAndHasNoSpread() throws Exception {
        List<Integer> started = new ArrayList<>();

        RowRuns<Double> runs =
                RowRuns.measure(
                        "2b-t",
                        1,
                        rate -> rate,
                        line -> {},
                        n -> {
                            started.add(n);
                            return 42.0;
                        });

        assertThat(started).containsExactly(1);
        assertThat(runs.median()).isEqualTo(42.0);
        assertThat(runs.spread("events")).isEmpty();
    }

    @Test
    void atLeastOneRunIsCounted() {
        assertThatThrownBy(() -> RowRuns.measure("2b", 0, r -> 0, l -> {}, n -> 0.0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
