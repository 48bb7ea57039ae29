package dev.embedflow.index;

import java.util.Arrays;
import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/** How vectors are compared. */
@PublicEvolving
public enum SpaceType {
    /** Cosine similarity: for sentence-transformers models and most embedding APIs. */
    COSINESIMIL("cosinesimil"),
    /** Euclidean distance. */
    L2("l2"),
    /** Dot product: for normalised vectors, ranks like cosine. */
    INNERPRODUCT("innerproduct");

    private final String value;

    SpaceType(String value) {
        this.value = value;
    }

    /** The name in the mapping. */
    public String value() {
        return value;
    }

    /** The space named {@code value} as in a mapping. */
    public static SpaceType of(String value) {
        return Arrays.stream(values())
                .filter(s -> s.value.equals(value.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown space type '"
                                                + value
                                                + "'; use cosinesimil, l2 or innerproduct"));
    }
}
