package dev.embedflow.index;

import java.util.Arrays;
import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/** The k-NN engine that builds the HNSW graph. */
@PublicEvolving
public enum KnnEngine {
    /** Lucene's HNSW: in every OpenSearch build, efficient filtering. */
    LUCENE("lucene"),
    /** Faiss (native library): fastest at scale; not in the Maven Central k-NN build. */
    FAISS("faiss");

    private final String value;

    KnnEngine(String value) {
        this.value = value;
    }

    /** The name in the mapping. */
    public String value() {
        return value;
    }

    /** The engine named {@code value} as in a mapping ({@code lucene}, {@code faiss}). */
    public static KnnEngine of(String value) {
        return Arrays.stream(values())
                .filter(e -> e.value.equals(value.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown k-NN engine '"
                                                + value
                                                + "'; use lucene or faiss"));
    }
}
