package dev.embedflow.embedding.async;

import dev.embedflow.deadletter.DeadLetter;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * What the embedding function emits for one record: its vector, or the dead letter that says why it
 * has none. {@link EmbeddingResultSplitter} sends the dead letters to a side output.
 *
 * @param <IN> the record type
 */
@PublicEvolving
public final class EmbeddingResult<IN> implements Serializable {
    private static final long serialVersionUID = 1L;

    // A Flink POJO (see EmbeddingAsyncFunction.resultType): no Kryo on the hot path.
    private IN input;
    private float[] vector;
    private DeadLetter deadLetter;

    /** For Flink's POJO serializer; use {@link #embedded} or {@link #deadLettered}. */
    public EmbeddingResult() {}

    private EmbeddingResult(IN input, float[] vector, DeadLetter deadLetter) {
        this.input = Objects.requireNonNull(input, "input");
        this.vector = vector;
        this.deadLetter = deadLetter;
    }

    /** {@code input} embedded as {@code vector}. */
    public static <IN> EmbeddingResult<IN> embedded(IN input, float[] vector) {
        return new EmbeddingResult<>(input, Objects.requireNonNull(vector, "vector"), null);
    }

    /** {@code input} could not be embedded. */
    public static <IN> EmbeddingResult<IN> deadLettered(IN input, DeadLetter deadLetter) {
        return new EmbeddingResult<>(input, null, Objects.requireNonNull(deadLetter, "deadLetter"));
    }

    /** The record. */
    public IN input() {
        return input;
    }

    /** The record (for Flink's POJO serializer). */
    public IN getInput() {
        return input;
    }

    public void setInput(IN input) {
        this.input = input;
    }

    /** The vector, or null when dead-lettered (for Flink's POJO serializer). */
    public float[] getVector() {
        return vector;
    }

    public void setVector(float[] vector) {
        this.vector = vector;
    }

    /** The dead letter, or null when embedded (for Flink's POJO serializer). */
    public DeadLetter getDeadLetter() {
        return deadLetter;
    }

    public void setDeadLetter(DeadLetter deadLetter) {
        this.deadLetter = deadLetter;
    }

    /** Whether the record was embedded. */
    public boolean isEmbedded() {
        return vector != null;
    }

    /**
     * The vector (not copied: treat it as read-only).
     *
     * @throws IllegalStateException if the record was dead-lettered
     */
    public float[] vector() {
        if (vector == null) {
            throw new IllegalStateException("not embedded: " + deadLetter.reason());
        }
        return vector;
    }

    /**
     * Why the record was not embedded.
     *
     * @throws IllegalStateException if it was embedded
     */
    public DeadLetter deadLetter() {
        if (deadLetter == null) {
            throw new IllegalStateException("the record was embedded");
        }
        return deadLetter;
    }

    @Override
    public String toString() {
        return isEmbedded()
                ? "EmbeddingResult[embedded, " + vector.length + " dimensions]"
                : "EmbeddingResult[" + deadLetter + "]";
    }
}
