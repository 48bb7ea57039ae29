package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchmarkTableTest {

    private static BenchmarkTable table() {
        return new BenchmarkTable()
                .add(new BenchmarkTable.Row("1b", "bulk", 1000, "docs", 2.0, Optional.empty(), ""))
                .add(
                        new BenchmarkTable.Row(
                                "2b", "stream", 1000, "events", 4.0, Optional.of("1b"), "x"));
    }

    @Test
    void ratioIsTheRowsRateOverItsBaselinesRate() {
        BenchmarkTable table = table();
        assertThat(table.ratio(table.rows().get(1))).hasValue(0.5);
        assertThat(table.ratio(table.rows().get(0))).isEmpty();
    }

    @Test
    void aBaselineNotMeasuredGivesNoRatio() {
        BenchmarkTable table =
                new BenchmarkTable()
                        .add(
                                new BenchmarkTable.Row(
                                        "2a", "s", 10, "events", 1.0, Optional.of("1a"), ""));
        assertThat(table.ratio(table.rows().get(0))).isEmpty();
        assertThat(table.toText()).contains("2a").containsPattern("10\\.0 events/s\\s+-");
    }

    @Test
    void textAndMarkdownShowRatesAndRatiosAgainstTheNamedBaseline() {
        String text = table().toText();
        assertThat(text.lines()).hasSize(3);
        assertThat(text).contains("500.0 docs/s").contains("250.0 events/s").contains("0.50x 1b");
        String markdown = table().toMarkdown();
        assertThat(markdown.lines()).hasSize(4);
        assertThat(markdown)
                .startsWith("| ID | MEASUREMENT |")
                .contains("| 2b | stream | 1000 events | 4.0 | 250.0 events/s | 0.50x 1b | x |");
    }

    @Test
    void rejectsDuplicateIdsAndZeroDurations() {
        assertThatThrownBy(() -> table().add(table().rows().get(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BenchmarkTable.Row("1a", "x", 1, "t", 0, Optional.empty(), ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void targetsMarkTheRatioAsMetOrShort() {
        BenchmarkTable table =
                table().add(
                                new BenchmarkTable.Row(
                                        "2a", "model", 900, "events", 1.0, Optional.of("1b"), ""))
                        .target("2b", 0.7)
                        .target("2a", 0.8);

        assertThat(table.meetsTarget(table.row("2b").orElseThrow())).hasValue(false);
        assertThat(table.meetsTarget(table.row("2a").orElseThrow())).hasValue(true);
        assertThat(table.meetsTarget(table.row("1b").orElseThrow())).isEmpty();
        assertThat(table.toText())
                .contains("0.50x 1b (target >= 0.7: short)")
                .contains("1.80x 1b (target >= 0.8: met)");
        assertThat(table.row("9z")).isEmpty();
    }

    @Test
    void findingsKeepTheirOrder() {
        BenchmarkTable table = table().addFinding("first").addFinding("second");
        assertThat(table.findings()).containsExactly("first", "second");
    }
}
