package dev.embedflow.embedding.internal;

import org.apache.flink.annotation.Internal;

/** Checks one vector of a response: dimension, finite components, non-zero norm. */
@Internal
public final class VectorChecks {

    private VectorChecks() {}

    /** Why {@code vector} is unusable, or null when it is fine. */
    public static String problem(float[] vector, int expectedDimensions) {
        if (vector == null || vector.length == 0) {
            return "the service returned an empty vector";
        }
        if (vector.length != expectedDimensions) {
            return "the service returned a vector of "
                    + vector.length
                    + " dimensions, expected "
                    + expectedDimensions;
        }
        double norm = 0;
        for (int i = 0; i < vector.length; i++) {
            float v = vector[i];
            if (Float.isNaN(v) || Float.isInfinite(v)) {
                return "the service returned a vector with a non-finite component at " + i;
            }
            norm += (double) v * v;
        }
        if (norm == 0) {
            return "the service returned a zero vector";
        }
        return null;
    }
}
