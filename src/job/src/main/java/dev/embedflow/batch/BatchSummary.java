package dev.embedflow.batch;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.annotation.PublicEvolving;

/**
 * What a batch run did, from its accumulators.
 *
 * @param files files read
 * @param bytes bytes read
 * @param documents documents read (files, records, rows)
 * @param chunks chunks made
 * @param embedded chunks embedded and written
 * @param unchanged chunks skipped as unchanged (already in the index with the same content)
 * @param deadLettered dead letters of every stage (source, embedding, index)
 * @param deleted stale chunks deleted
 * @param elapsed the run's wall-clock time
 * @param textFields documents per record field (JSON pointer, column) their text came from
 * @param skippedFiles files not read because they are as a previous run indexed them
 */
@PublicEvolving
public record BatchSummary(
        long files,
        long bytes,
        long documents,
        long chunks,
        long embedded,
        long unchanged,
        long deadLettered,
        long deleted,
        Duration elapsed,
        Map<String, Long> textFields,
        long skippedFiles) {

    public BatchSummary {
        textFields = textFields == null ? Map.of() : new TreeMap<>(textFields);
    }

    /**
     * A summary from accumulator values (absent ones are 0), plus dead letters counted apart and
     * the files skipped before the run.
     */
    public static BatchSummary of(
            Map<String, Object> accumulators,
            long sinkDeadLetters,
            Duration elapsed,
            long skippedFiles) {
        return new BatchSummary(
                get(accumulators, BatchCounters.FILES),
                get(accumulators, BatchCounters.BYTES),
                get(accumulators, BatchCounters.DOCUMENTS),
                get(accumulators, BatchCounters.CHUNKS),
                get(accumulators, BatchCounters.EMBEDDED),
                get(accumulators, BatchCounters.UNCHANGED),
                get(accumulators, BatchCounters.DEAD_LETTERS) + sinkDeadLetters,
                get(accumulators, BatchCounters.DELETED),
                elapsed,
                fieldCounts(accumulators.get(BatchCounters.TEXT_FIELDS)),
                skippedFiles);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Long> fieldCounts(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Long>) map : Map.of();
    }

    static long get(Map<String, Object> accumulators, String name) {
        return accumulators.get(name) instanceof Number n ? n.longValue() : 0;
    }

    /** The summary printed at the end of a run. */
    public String format() {
        return String.format(
                        "Batch run finished in %s%n"
                                + "  files read:          %d (%s)%n"
                                + "  files unchanged:     %d (not read)%n"
                                + "  documents:           %d%n"
                                + "  chunks:              %d%n"
                                + "  embedded:            %d%n"
                                + "  skipped (unchanged): %d%n"
                                + "  stale chunks deleted: %d%n"
                                + "  dead-lettered:       %d",
                        BatchProgress.duration(elapsed),
                        files,
                        BatchProgress.bytes(bytes),
                        skippedFiles,
                        documents,
                        chunks,
                        embedded,
                        unchanged,
                        deleted,
                        deadLettered)
                + textFrom();
    }

    /** A line naming the record fields the text came from, with their counts; empty if none. */
    private String textFrom() {
        if (textFields.isEmpty()) {
            return "";
        }
        return String.format(
                "%n  text from:           %s",
                textFields.entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + ")")
                        .collect(java.util.stream.Collectors.joining(", ")));
    }
}
