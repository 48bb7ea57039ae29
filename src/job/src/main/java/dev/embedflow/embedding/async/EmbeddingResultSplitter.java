package dev.embedflow.embedding.async;

import dev.embedflow.deadletter.DeadLetter;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Routes the embedding function's output: embedded records go on, combined with their vector; dead
 * letters go to the {@link #DEAD_LETTERS} side output.
 *
 * @param <IN> the record type
 * @param <OUT> the embedded record type
 */
@Internal
public final class EmbeddingResultSplitter<IN, OUT>
        extends ProcessFunction<EmbeddingResult<IN>, OUT> {
    private static final long serialVersionUID = 1L;

    /** The side output of the records that could not be embedded. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("embedding-dead-letters", TypeInformation.of(DeadLetter.class));

    /** Makes the downstream record from a record and its vector. */
    @FunctionalInterface
    public interface Combiner<IN, OUT> extends Serializable {
        OUT combine(IN input, float[] vector);
    }

    private final Combiner<IN, OUT> combiner;

    public EmbeddingResultSplitter(Combiner<IN, OUT> combiner) {
        this.combiner = Objects.requireNonNull(combiner, "combiner");
    }

    @Override
    public void processElement(EmbeddingResult<IN> result, Context ctx, Collector<OUT> out) {
        if (result.isEmbedded()) {
            out.collect(combiner.combine(result.input(), result.vector()));
        } else {
            ctx.output(DEAD_LETTERS, result.deadLetter());
        }
    }
}
