package dev.embedflow.batch.internal;

import dev.embedflow.batch.BatchCounters;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import java.nio.file.Path;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reports the source and embedding stages' dead letters ({@link JsonLinesDeadLetterWriter}: the
 * console and the run's dead-letter file), counts them (and per input file, so that a file with a
 * dead letter is not recorded as indexed), and passes them on (to a Kafka topic when one is
 * configured).
 */
@Internal
public final class DeadLetterReport extends ProcessFunction<DeadLetter, DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String dir;
    private final String runId;

    private transient JsonLinesDeadLetterWriter writer;
    private transient LongCounter count;
    private transient FieldCounts files;

    public DeadLetterReport(String dir, String runId) {
        this.dir = dir;
        this.runId = runId;
    }

    @Override
    public void open(OpenContext openContext) {
        count = new LongCounter();
        getRuntimeContext().addAccumulator(BatchCounters.DEAD_LETTERS, count);
        files = new FieldCounts();
        getRuntimeContext().addAccumulator(BatchCounters.DEAD_LETTERED_FILES, files);
        writer =
                new JsonLinesDeadLetterWriter(
                        Path.of(dir),
                        runId,
                        "task-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        System.err);
    }

    @Override
    public void processElement(DeadLetter deadLetter, Context ctx, Collector<DeadLetter> out)
            throws Exception {
        count.add(1);
        deadLetter.origins().stream()
                .map(Origin::path)
                .filter(java.util.Objects::nonNull)
                .distinct()
                .forEach(files::add);
        writer.write(deadLetter);
        writer.flush();
        out.collect(deadLetter);
    }

    @Override
    public void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
    }
}
