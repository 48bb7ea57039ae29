package dev.embedflow.batch;

import java.time.Duration;
import java.util.Map;
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
        Duration elapsed) {

    /** A summary from accumulator values (absent ones are 0), plus dead letters counted apart. */
    public static BatchSummary of(
            Map<String, Object> accumulators, long sinkDeadLetters, Duration elapsed) {
        return new BatchSummary(
                get(accumulators, BatchCounters.FILES),
                get(accumulators, BatchCounters.BYTES),
                get(accumulators, BatchCounters.DOCUMENTS),
                get(accumulators, BatchCounters.CHUNKS),
                get(accumulators, BatchCounters.EMBEDDED),
                get(accumulators, BatchCounters.UNCHANGED),
                get(accumulators, BatchCounters.DEAD_LETTERS) + sinkDeadLetters,
                get(accumulators, BatchCounters.DELETED),
                elapsed);
    }

    static long get(Map<String, Object> accumulators, String name) {
        return accumulators.get(name) instanceof Number n ? n.longValue() : 0;
    }

    /** The summary printed at the end of a run. */
    public String format() {
        return String.format(
                "Batch run finished in %s%n"
                        + "  files read:          %d (%s)%n"
                        + "  documents:           %d%n"
                        + "  chunks:              %d%n"
                        + "  embedded:            %d%n"
                        + "  skipped (unchanged): %d%n"
                        + "  stale chunks deleted: %d%n"
                        + "  dead-lettered:       %d",
                BatchProgress.duration(elapsed),
                files,
                BatchProgress.bytes(bytes),
                documents,
                chunks,
                embedded,
                unchanged,
                deleted,
                deadLettered);
    }
}
