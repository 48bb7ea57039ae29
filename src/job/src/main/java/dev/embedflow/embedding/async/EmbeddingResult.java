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

    private final IN input;
    private final float[] vector;
    private final DeadLetter deadLetter;

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
