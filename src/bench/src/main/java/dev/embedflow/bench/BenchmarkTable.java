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
    private final java.util.Map<String, Double> targets = new java.util.LinkedHashMap<>();
    private final List<String> findings = new ArrayList<>();

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

    /** The row with this id, if measured. */
    public Optional<Row> row(String id) {
        return rows.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** Sets the least ratio the row {@code id} should reach over its baseline. */
    public BenchmarkTable target(String id, double minRatio) {
        if (!(minRatio > 0)) {
            throw new IllegalArgumentException("A target ratio must be > 0, got " + minRatio);
        }
        targets.put(id, minRatio);
        return this;
    }

    /** The ratio the row should reach, if one was declared. */
    public Optional<Double> target(Row row) {
        return Optional.ofNullable(targets.get(row.id()));
    }

    /** Whether the row reached its target ratio; empty without a target or a ratio. */
    public Optional<Boolean> meetsTarget(Row row) {
        Double target = targets.get(row.id());
        return target == null ? Optional.empty() : ratio(row).map(r -> r >= target);
    }

    /** Adds a finding (Markdown) for the report, e.g. where the time of a short ratio goes. */
    public BenchmarkTable addFinding(String markdown) {
        findings.add(markdown);
        return this;
    }

    public List<String> findings() {
        return List.copyOf(findings);
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

    private String ratioCell(Row row, double ratio) {
        String cell = String.format(Locale.ROOT, "%.2fx %s", ratio, row.baselineId().orElseThrow());
        Double target = targets.get(row.id());
        if (target == null) {
            return cell;
        }
        return cell
                + String.format(
                        Locale.ROOT,
                        " (target >= %s: %s)",
                        stripZeros(target),
                        ratio >= target ? "met" : "short");
    }

    private static String stripZeros(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

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
                        ratio(row).map(r -> ratioCell(row, r)).orElse("-"),
                        row.note().isEmpty() ? "-" : row.note()
                    });
        }
        return cells;
    }
}
