package dev.embedflow.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The fault tests' table in {@code docs/fault-tolerance.md}. The file has one section per run size
 * (CI and full), each between markers; a run replaces only its own section, so the committed
 * figures of the other size stay.
 */
final class FaultReport {

    /** One scenario's figures. */
    record Row(
            String scenario,
            int events,
            int malformed,
            int expected,
            int found,
            int lost,
            int extra,
            int wrong,
            long deadLettered,
            String recovery,
            String notes) {}

    private FaultReport() {}

    /** Formats a duration as seconds with one decimal. */
    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(
                "| scenario | events | documents expected | found | lost | extra | wrong content"
                        + " or vector | dead-lettered | recovery time | notes |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row row : rows) {
            out.append("| ")
                    .append(row.scenario())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", row.events()))
                    .append(
                            row.malformed() > 0
                                    ? String.format(
                                            Locale.ROOT, " + %,d malformed", row.malformed())
                                    : "")
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", row.expected()))
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", row.found()))
                    .append(" | ")
                    .append(row.lost())
                    .append(" | ")
                    .append(row.extra())
                    .append(" | ")
                    .append(row.wrong())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", row.deadLettered()))
                    .append(" | ")
                    .append(row.recovery())
                    .append(" | ")
                    .append(row.notes())
                    .append(" |\n");
        }
        return out.toString();
    }

    /**
     * Replaces the section {@code size} ({@code ci} or {@code full}) of {@code file} with {@code
     * body}; a missing file or section is created.
     */
    static void write(Path file, String size, String body) {
        String start = "<!-- faults:" + size + ":start -->";
        String end = "<!-- faults:" + size + ":end -->";
        try {
            String text = Files.exists(file) ? Files.readString(file) : "";
            String section = start + "\n" + body.strip() + "\n" + end;
            int from = text.indexOf(start);
            int to = text.indexOf(end);
            if (from >= 0 && to > from) {
                text = text.substring(0, from) + section + text.substring(to + end.length());
            } else {
                text =
                        text
                                + (text.isEmpty() || text.endsWith("\n\n") ? "" : "\n")
                                + section
                                + "\n";
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
    }

    /** The heading line of a section: size, when, and how many events per scenario. */
    static String heading(String size, int events, Duration outage, Duration took) {
        return "Written by `FaultToleranceITCase` on "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + String.format(
                        Locale.ROOT,
                        " (%s size: %,d events per scenario, outages of %d s; the five scenarios"
                                + " took %d min %d s on %d cores).",
                        size,
                        events,
                        outage.toSeconds(),
                        took.toMinutes(),
                        took.toSecondsPart(),
                        Runtime.getRuntime().availableProcessors());
    }
}
