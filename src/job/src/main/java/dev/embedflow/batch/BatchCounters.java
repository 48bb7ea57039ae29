package dev.embedflow.batch;

import dev.embedflow.index.ChangeDetector;
import org.apache.flink.annotation.Internal;

/**
 * Names of the batch job's Flink accumulators: what the progress line and the summary report. They
 * are summed over all subtasks and available while the job runs and in its result.
 */
@Internal
public final class BatchCounters {

    private BatchCounters() {}

    /** Files read to their end. */
    public static final String FILES = "embedflow.files";

    /** Bytes of the files read to their end. */
    public static final String BYTES = "embedflow.bytes";

    /** Documents read (files, records, rows). */
    public static final String DOCUMENTS = "embedflow.documents";

    /** Chunks made from the documents. */
    public static final String CHUNKS = "embedflow.chunks";

    /** Chunks found unchanged in the index: not embedded, not written. */
    public static final String UNCHANGED = ChangeDetector.UNCHANGED;

    /** Chunks embedded (and sent to the index). */
    public static final String EMBEDDED = "embedflow.embedded";

    /** Stale chunks deleted (left from a longer version of a document). */
    public static final String DELETED = ChangeDetector.DELETED;

    /** Documents per record field their text came from (a {@code FieldCounts}). */
    public static final String TEXT_FIELDS = "embedflow.text-fields";

    /** Dead letters of the source and embedding stages. */
    public static final String DEAD_LETTERS = "embedflow.dead-letters";

    /** Dead letters per input file (path or URI) of the source and embedding stages. */
    public static final String DEAD_LETTERED_FILES = "embedflow.dead-lettered-files";
}
