package dev.embedflow.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's one table: each row a measurement (what, how many items, how long, rate) and,
 * where it has one, the ratio of its rate to its baseline row's rate.
 */
public final class BenchmarkTable {

    /**
     * One measurement.
     *
     * @param id short id, e.g. {@code 1a}
     * @param name what was measured
     * @param items items processed (texts, documents, events)
     * @param unit the items' unit, e.g. {@code texts}
     * @param seconds wall-clock time
     * @param baselineId the row this one is compared with, if any
     * @param note anything else worth saying (e.g. requests per text)
     */
    public record Row(
            String id,
            String name,
            long items,
            String unit,
            double seconds,
            Optional<String> baselineId,
            String note) {

        public Row {
            if (items < 0 || !(seconds > 0)) {
                throw new IllegalArgumentException(
                        "items must be >= 0 and seconds > 0, got " + items + ", " + seconds);
            }
        }

        /** Items per second. */
        public double rate() {
            return items / seconds;
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Double> targets = new LinkedHashMap<>();

    public BenchmarkTable add(Row row) {
        if (rows.stream().anyMatch(r -> r.id().equals(row.id()))) {
            throw new IllegalArgumentException("Row " + row.id() + " is already in the table");
        }
        rows.add(row);
        return this;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The row's rate over its baseline's rate; empty without a baseline or one not measured. */
    public Optional<Double> ratio(Row row) {
        return row.baselineId()
                .flatMap(id -> rows.stream().filter(r -> r.id().equals(id)).findFirst())
                .filter(base -> base.rate() > 0)
                .map(base -> row.rate() / base.rate());
    }

    /** Declares the ratio row {@code id} should reach (a target of issue 8), e.g. 0.7. */
    public BenchmarkTable target(String id, double minimumRatio) {
        if (!(minimumRatio > 0)) {
            throw new IllegalArgumentException("A target ratio must be > 0, got " + minimumRatio);
        }
        targets.put(id, minimumRatio);
        return this;
    }

    /** The ratio the row should reach, if one was declared. */
    public Optional<Double> target(Row row) {
        return Optional.ofNullable(targets.get(row.id()));
    }

    /** The table as fixed-width text for the console. */
    public String toText() {
        List<String[]> cells = cells();
        int[] widths = new int[HEADER.length];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", line[i]));
                text.append(i + 1 < line.length ? "  " : "");
            }
            out.append(text.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** The table in Markdown. */
    public String toMarkdown() {
        List<String[]> cells = cells();
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < cells.size(); n++) {
            out.append("| ").append(String.join(" | ", cells.get(n))).append(" |\n");
            if (n == 0) {
                out.append("|---|---|---:|---:|---:|---|---|\n");
            }
        }
        return out.toString();
    }

    private static final String[] HEADER = {
        "ID", "MEASUREMENT", "ITEMS", "SECONDS", "RATE", "RATIO", "NOTE"
    };

    private List<String[]> cells() {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        for (Row row : rows) {
            cells.add(
                    new String[] {
                        row.id(),
                        row.name(),
                        row.items() + " " + row.unit(),
                        String.format(Locale.ROOT, "%.1f", row.seconds()),
                        String.format(Locale.ROOT, "%.1f %s/s", row.rate(), row.unit()),
                        ratioCell(row),
                        row.note().isEmpty() ? "-" : row.note()
                    });
        }
        return cells;
    }

    /** {@code 0.76x 1a}, with the target if one was declared: {@code 0.76x 1a (target 0.80x)}. */
    private String ratioCell(Row row) {
        Optional<Double> ratio = ratio(row);
        if (ratio.isEmpty()) {
            return "-";
        }
        String cell =
                String.format(Locale.ROOT, "%.2fx %s", ratio.get(), row.baselineId().orElseThrow());
        return target(row)
                .map(t -> cell + String.format(Locale.ROOT, " (target %.2fx)", t))
                .orElse(cell);
    }
}
