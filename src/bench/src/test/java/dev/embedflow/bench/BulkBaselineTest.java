package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.bench.BulkBaseline.Setting;
import dev.embedflow.bench.BulkBaseline.Trial;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulkBaselineTest {

    @Test
    void theSweepKeepsSettingsWithAtLeastTwoRoundsOfRequestsInTheSlice() {
        assertThat(BulkBaseline.sweep(4_000))
                .containsExactly(
                        new Setting(250, 1),
                        new Setting(250, 2),
                        new Setting(250, 4),
                        new Setting(500, 1),
                        new Setting(500, 2),
                        new Setting(500, 4),
                        new Setting(1000, 1),
                        new Setting(1000, 2),
                        new Setting(2000, 1));
        assertThat(BulkBaseline.sweep(1_000))
                .containsExactly(new Setting(250, 1), new Setting(250, 2), new Setting(500, 1));
    }

    @Test
    void theBestTrialIsTheFastestAndTheBestSingleHasOneRequestInFlight() {
        List<Trial> trials =
                List.of(
                        new Trial(new Setting(250, 1), 1000, 1.0),
                        new Trial(new Setting(500, 1), 1000, 0.8),
                        new Trial(new Setting(500, 2), 1000, 0.5),
                        new Trial(new Setting(1000, 4), 1000, 0.5));

        assertThat(BulkBaseline.best(trials).setting()).isEqualTo(new Setting(500, 2));
        assertThat(BulkBaseline.bestSingle(trials).orElseThrow().setting())
                .isEqualTo(new Setting(500, 1));
        assertThat(new Setting(500, 2)).hasToString("500/bulk, 2 in flight");
    }
}
