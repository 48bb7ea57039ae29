package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void nearestRankPercentilesOfUnsortedSamples() {
        List<Long> samples = new ArrayList<>();
        for (long i = 1; i <= 200; i++) {
            samples.add(i * 10);
        }
        Collections.shuffle(samples, new java.util.Random(3));
        Latencies latencies = new Latencies(samples);

        assertThat(latencies.count()).isEqualTo(200);
        assertThat(latencies.percentile(50)).isEqualTo(1_000);
        assertThat(latencies.percentile(99)).isEqualTo(1_980);
        assertThat(latencies.max()).isEqualTo(2_000);
        assertThat(latencies.summary()).isEqualTo("p50 1.00 s, p99 1.98 s");
    }

    @Test
    void fewSamplesRoundTheRankUp() {
        Latencies latencies = new Latencies(List.of(300L, 100L, 200L));

        assertThat(latencies.percentile(50)).isEqualTo(200);
        assertThat(latencies.percentile(99)).isEqualTo(300);
        assertThat(latencies.percentile(1)).isEqualTo(100);
    }

    @Test
    void noSamples() {
        Latencies none = new Latencies(List.of());

        assertThat(none.summary()).isEqualTo("no samples");
        assertThatThrownBy(() -> none.percentile(50)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Latencies(List.of(1L)).percentile(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void summaryInMillisecondsForShortLatencies() {
        Latencies latencies = new Latencies(List.of(12L, 9L, 40L));

        assertThat(latencies.summaryMillis()).isEqualTo("p50 12 ms, p99 40 ms");
        assertThat(new Latencies(List.of()).summaryMillis()).isEqualTo("no samples");
    }
}
