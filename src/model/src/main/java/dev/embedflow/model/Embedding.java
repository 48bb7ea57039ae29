package dev.embedflow.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One text's embedding: the L2-normalised vector and how many word pieces the model saw.
 *
 * <p>{@link #tokenCount()} counts the tokens fed to the model, including the special tokens ({@code
 * [CLS]} and {@code [SEP]} for MiniLM). When the caller asked for truncation and the text was
 * longer than the model's limit, {@link #truncated()} is {@code true} and {@link
 * #originalTokenCount()} tells how long the whole text was; otherwise both counts are equal.
 */
public final class Embedding {

    private final float[] vector;
    private final int tokenCount;
    private final boolean truncated;
    private final int originalTokenCount;

    /**
     * @param vector the vector (copied)
     * @param tokenCount tokens fed to the model, special tokens included
     * @param truncated whether the text was cut to the model's limit
     * @param originalTokenCount tokens of the whole text; equal to {@code tokenCount} unless
     *     truncated
     */
    public Embedding(float[] vector, int tokenCount, boolean truncated, int originalTokenCount) {
        this.vector = Objects.requireNonNull(vector, "vector").clone();
        if (tokenCount < 0 || originalTokenCount < tokenCount) {
            throw new IllegalArgumentException(
                    "token counts must satisfy 0 <= tokenCount <= originalTokenCount, got "
                            + tokenCount
                            + " and "
                            + originalTokenCount);
        }
        if (!truncated && originalTokenCount != tokenCount) {
            throw new IllegalArgumentException(
                    "an embedding that is not truncated must have originalTokenCount == tokenCount");
        }
        this.tokenCount = tokenCount;
        this.truncated = truncated;
        this.originalTokenCount = originalTokenCount;
    }

    /** A copy of the vector. */
    public float[] vector() {
        return vector.clone();
    }

    /** The cosine similarity of this vector and {@code other}'s. */
    public double cosine(Embedding other) {
        return cosine(vector, other.vector);
    }

    /**
     * The cosine similarity of two vectors of the same length; 0 when either is all zeros.
     *
     * @throws IllegalArgumentException when the lengths differ
     */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "vectors of " + a.length + " and " + b.length + " dimensions");
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** The number of dimensions of the vector. */
    public int dimensions() {
        return vector.length;
    }

    /** Component {@code i} of the vector, without copying it. */
    public float get(int i) {
        return vector[i];
    }

    /** Tokens fed to the model, special tokens included. */
    public int tokenCount() {
        return tokenCount;
    }

    /** Whether the text was cut to the model's token limit (only ever when the caller asked). */
    public boolean truncated() {
        return truncated;
    }

    /** Tokens of the whole text, special tokens included; more than tokenCount iff truncated. */
    public int originalTokenCount() {
        return originalTokenCount;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding other
                && tokenCount == other.tokenCount
                && truncated == other.truncated
                && originalTokenCount == other.originalTokenCount
                && Arrays.equals(vector, other.vector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(vector), tokenCount, truncated, originalTokenCount);
    }

    @Override
    public String toString() {
        return "Embedding[dimensions="
                + vector.length
                + ", tokenCount="
                + tokenCount
                + (truncated ? ", truncated from " + originalTokenCount : "")
                + "]";
    }
}
