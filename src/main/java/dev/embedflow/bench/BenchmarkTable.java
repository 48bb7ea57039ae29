package dev.embedflow.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
                        ratio(row)
                                .map(
                                        r ->
                                                String.format(
                                                        Locale.ROOT,
                                                        "%.2fx %s",
                                                        r,
                                                        row.baselineId().orElseThrow()))
                                .orElse("-"),
                        row.note().isEmpty() ? "-" : row.note()
                    });
        }
        return cells;
    }
}
