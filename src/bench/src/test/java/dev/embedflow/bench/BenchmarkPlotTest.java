package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategorySeries;

class BenchmarkPlotTest {

    @TempDir Path dir;

    private static BenchmarkTable.Row row(String id, long items, String unit, String baseline) {
        return new BenchmarkTable.Row(
                id, "measurement " + id, items, unit, 2.0, Optional.ofNullable(baseline), "");
    }

    private static BenchmarkTable table() {
        return new BenchmarkTable()
                .add(row("1a", 320, "texts", null))
                .add(row("1b", 2500, "docs", null))
                .add(row("2b", 2800, "events", "1b"))
                .add(row("2a", 250, "events", "1a"))
                .add(row("4a", 240, "docs", null))
                .add(row("4b", 5000, "docs", "4a"))
                .add(row("5a", 2600, "docs", null))
                .add(row("5b", 2100, "docs", "5a"))
                .target("2b", 0.7)
                .target("2a", 0.8);
    }

    @Test
    void writesAPngWithARatesAndARatiosChart() throws IOException {
        Path png = dir.resolve("plots/benchmarks.png");
        BenchmarkPlot.write(table(), png);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG ImageIO can read").isNotNull();
        assertThat(image.getWidth()).isEqualTo(2 * BenchmarkPlot.CHART_WIDTH);
        assertThat(image.getHeight()).isEqualTo(BenchmarkPlot.HEIGHT);
        assertThat(colours(image)).as("more than a blank canvas").hasSizeGreaterThan(10);
    }

    @Test
    void aPlotThatCannotBeDrawnLeavesThePreviousFileAsItWas() throws IOException {
        Path png = dir.resolve("benchmarks.png");
        BenchmarkPlot.write(table(), png);
        byte[] before = java.nio.file.Files.readAllBytes(png);

        assertThatThrownBy(() -> BenchmarkPlot.write(new BenchmarkTable(), png))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(png).hasBinaryContent(before);
    }

    @Test
    void aTableWithoutRatiosGetsTheRatesChartAlone() throws IOException {
        Path png = dir.resolve("rates.png");
        BenchmarkPlot.write(
                new BenchmarkTable()
                        .add(row("1a", 320, "texts", null))
                        .add(row("1b", 9, "d", null)),
                png);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(BenchmarkPlot.CHART_WIDTH);
        assertThat(image.getHeight()).isEqualTo(BenchmarkPlot.HEIGHT);
    }

    @Test
    void theRatiosChartHasOneBarPerRatioAndTheTargetsDeclared() {
        var chart = BenchmarkPlot.ratios(table()).orElseThrow();
        assertThat(chart.getSeriesCollection())
                .extracting(s -> s.getName())
                .containsExactly("measured", "target (issue 8)");
        assertThat(List.<Object>copyOf(chart.getSeries("measured").getXData()))
                .containsExactly("2b / 1b", "2a / 1a", "4b / 4a", "5b / 5a");
        assertThat(values(chart.getSeries("measured")))
                .containsExactly(1.12, 0.78125, 20.833333333333332, 0.8076923076923077);
        assertThat(values(chart.getSeries("target (issue 8)")))
                .as("no target: no marker (NaN)")
                .containsExactly(0.7, 0.8, Double.NaN, Double.NaN);
    }

    @Test
    void theRatesChartHasOneSeriesPerGroupOfMeasurements() {
        var chart = BenchmarkPlot.rates(table());
        assertThat(chart.getSeriesCollection())
                .extracting(s -> s.getName())
                .containsExactly(
                        "1 raw limits", "2 EmbedFlow streaming", "4 batch job", "5 index growth");
        assertThat(List.<Object>copyOf(chart.getSeries("4 batch job").getXData()))
                .hasSize(8)
                .contains("4b docs/s");
        assertThat(values(chart.getSeries("4 batch job")))
                .as("a bar for each row of the group, nothing elsewhere")
                .containsExactly(
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        120.0,
                        2500.0,
                        Double.NaN,
                        Double.NaN);
    }

    @Test
    void anEmptyTableIsRefused() {
        assertThatThrownBy(() -> BenchmarkPlot.write(new BenchmarkTable(), dir.resolve("x.png")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Double> values(CategorySeries series) {
        return Arrays.stream(series.getYData()).boxed().toList();
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int x = 0; x < image.getWidth(); x += 3) {
            for (int y = 0; y < image.getHeight(); y += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours;
    }
}
