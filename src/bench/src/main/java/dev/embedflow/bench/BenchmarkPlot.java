package dev.embedflow.bench;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The benchmark's plot, a PNG (XChart, headless): on the left the rate of every row (log scale, one
 * colour per group of measurements: 1 raw limits, 2 streaming, 3 peer, 4 batch, 5 growth); on the
 * right every ratio next to its target, where the table declares one.
 */
public final class BenchmarkPlot {

    static {
        // Before AWT loads: a server or CI machine has no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Width of one chart; the PNG is one or two charts wide. */
    public static final int CHART_WIDTH = 900;

    public static final int HEIGHT = 560;

    private static final Map<Character, String> GROUPS =
            Map.of(
                    '1', "1 raw limits",
                    '2', "2 EmbedFlow streaming",
                    '3', "3 peer (ML_PREDICT)",
                    '4', "4 batch job",
                    '5', "5 index growth",
                    '6', "6 search",
                    '7', "7 retrieval quality");

    private BenchmarkPlot() {}

    /** Writes the plot of {@code table} to {@code png}. */
    public static void write(BenchmarkTable table, Path png) throws IOException {
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // Drawn first, written after: a plot that cannot be drawn leaves the old file as it was.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        write(table, bytes);
        Files.write(png, bytes.toByteArray());
    }

    /** Writes the plot of {@code table} as PNG bytes to {@code out}. */
    public static void write(BenchmarkTable table, OutputStream out) throws IOException {
        if (table.rows().isEmpty()) {
            throw new IllegalArgumentException("An empty table has nothing to plot");
        }
        List<IChart> charts = new ArrayList<>();
        charts.add(rates(table));
        ratios(table).ifPresent(charts::add);
        BitmapEncoder.saveBitmap(charts, 1, charts.size(), out, BitmapEncoder.BitmapFormat.PNG);
    }

    /** One bar per row, its rate; rows of one group share a colour. */
    static CategoryChart rates(BenchmarkTable table) {
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(CHART_WIDTH)
                        .height(HEIGHT)
                        .title("Rates (items/s, log scale)")
                        .yAxisTitle("items per second")
                        .build();
        style(chart);
        List<BenchmarkTable.Row> rows = table.rows();
        // Bars start at the axis minimum: a log axis needs one above 0.
        logAxis(chart, rows.stream().map(BenchmarkTable.Row::rate).toList());
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        chart.getStyler().setOverlapped(true);
        List<String> categories = rows.stream().map(BenchmarkPlot::rateLabel).toList();
        Map<String, List<Double>> groups = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            BenchmarkTable.Row row = rows.get(i);
            List<Double> values =
                    groups.computeIfAbsent(
                            group(row.id()), g -> new ArrayList<>(nulls(rows.size())));
            values.set(i, row.rate() > 0 ? row.rate() : null);
        }
        groups.forEach((group, values) -> chart.addSeries(group, categories, values));
        return chart;
    }

    /** Every ratio (row over its baseline) and, where declared, the target beside it. */
    static Optional<CategoryChart> ratios(BenchmarkTable table) {
        List<String> categories = new ArrayList<>();
        List<Double> measured = new ArrayList<>();
        List<Double> targets = new ArrayList<>();
        for (BenchmarkTable.Row row : table.rows()) {
            Optional<Double> ratio = table.ratio(row);
            if (ratio.isPresent()) {
                categories.add(row.id() + " / " + row.baselineId().orElseThrow());
                measured.add(ratio.get());
                targets.add(table.target(row).orElse(null));
            }
        }
        if (categories.isEmpty()) {
            return Optional.empty();
        }
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(CHART_WIDTH)
                        .height(HEIGHT)
                        .title("Ratios (row rate / baseline rate)")
                        .yAxisTitle("ratio")
                        .build();
        style(chart);
        // Ratios multiply: a log axis too.
        logAxis(chart, Stream.concat(measured.stream(), targets.stream()).toList());
        chart.getStyler().setOverlapped(true);
        chart.getStyler()
                .setYAxisTickLabelsFormattingFunction(
                        v ->
                                new DecimalFormat(
                                                        "0.##",
                                                        DecimalFormatSymbols.getInstance(
                                                                Locale.ROOT))
                                                .format(v)
                                        + "x");
        chart.addSeries("measured", categories, measured).setFillColor(new Color(0x4C78A8));
        if (targets.stream().anyMatch(t -> t != null)) {
            CategorySeries target = chart.addSeries("target (issue 8)", categories, targets);
            target.setChartCategorySeriesRenderStyle(
                    CategorySeries.CategorySeriesRenderStyle.Scatter);
            target.setMarker(SeriesMarkers.DIAMOND);
            target.setMarkerColor(new Color(0xE45756));
        }
        return Optional.of(chart);
    }

    /** A log axis from the power of ten below the lowest value to the one above the highest. */
    private static void logAxis(CategoryChart chart, List<Double> values) {
        DoubleSummaryStatistics positive =
                values.stream()
                        .filter(v -> v != null && v > 0)
                        .mapToDouble(Double::doubleValue)
                        .summaryStatistics();
        double lowest = positive.getCount() == 0 ? 1 : positive.getMin();
        double highest = positive.getCount() == 0 ? 10 : positive.getMax();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lowest))));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(highest))));
    }

    private static void style(CategoryChart chart) {
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsRotation(0);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setMarkerSize(12);
    }

    private static String rateLabel(BenchmarkTable.Row row) {
        return row.id() + " " + row.unit() + "/s";
    }

    private static String group(String id) {
        char first = id.isEmpty() ? '?' : id.charAt(0);
        return GROUPS.getOrDefault(first, "group " + first);
    }

    private static List<Double> nulls(int size) {
        List<Double> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            values.add(null);
        }
        return values;
    }
}
