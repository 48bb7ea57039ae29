package dev.embedflow.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A search: a query vector (embedded by the caller with the index's model) and/or a query text, the
 * number of hits, keyword filters, and whether to fuse k-NN with BM25 (hybrid). Immutable; build
 * with {@link #builder()}.
 *
 * <ul>
 *   <li>vector only: k-NN with the filters applied inside the k-NN search (exact top k among
 *       matching documents);
 *   <li>text only: BM25 on the document text;
 *   <li>vector and text with {@code hybrid}: both, fused by reciprocal rank (see {@link
 *       SemanticSearch}).
 * </ul>
 */
@PublicEvolving
public final class SearchQuery {

    /** The most hits one query returns. */
    public static final int MAX_K = 1_000;

    private final float[] vector;
    private final String text;
    private final int k;
    private final Map<String, List<String>> filters;
    private final boolean hybrid;

    private SearchQuery(Builder b) {
        this.vector = b.vector == null ? null : b.vector.clone();
        this.text = b.text;
        this.k = b.k;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        b.filters.forEach((f, v) -> copy.put(f, List.copyOf(v)));
        this.filters = Collections.unmodifiableMap(copy);
        this.hybrid = b.hybrid;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<float[]> vector() {
        return Optional.ofNullable(vector).map(float[]::clone);
    }

    public Optional<String> text() {
        return Optional.ofNullable(text);
    }

    public int k() {
        return k;
    }

    /** Field to accepted values: values of one field are OR-ed, fields are AND-ed. */
    public Map<String, List<String>> filters() {
        return filters;
    }

    public boolean hybrid() {
        return hybrid;
    }

    /** Collects the query; {@link #build()} validates it. */
    public static final class Builder {
        private float[] vector;
        private String text;
        private int k = 10;
        private final Map<String, List<String>> filters = new LinkedHashMap<>();
        private boolean hybrid;

        private Builder() {}

        /** The query embedding, from the same model as the index. */
        public Builder vector(float[] vector) {
            this.vector = vector;
            return this;
        }

        /** The query text: for BM25, and shown to nobody. */
        public Builder text(String text) {
            this.text = text;
            return this;
        }

        public Builder k(int k) {
            this.k = k;
            return this;
        }

        /**
         * Keeps documents whose keyword {@code field} equals {@code value}. {@code entity}, {@code
         * model} and {@code content_hash} are top-level fields; any other name without a dot is a
         * metadata field ({@code event_types} means {@code metadata.event_types}).
         */
        public Builder filter(String field, String value) {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(value, "value");
            filters.computeIfAbsent(field, f -> new ArrayList<>()).add(value);
            return this;
        }

        /** {@code field=value}, as on the command line. */
        public Builder filter(String fieldEqualsValue) {
            int eq = fieldEqualsValue.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "filter '" + fieldEqualsValue + "' must look like field=value");
            }
            return filter(fieldEqualsValue.substring(0, eq), fieldEqualsValue.substring(eq + 1));
        }

        /** Fuses k-NN and BM25 results (needs both a vector and a text). */
        public Builder hybrid(boolean hybrid) {
            this.hybrid = hybrid;
            return this;
        }

        public SearchQuery build() {
            if (vector == null && (text == null || text.isBlank())) {
                throw new IllegalArgumentException("a search needs a query vector or a text");
            }
            if (hybrid && (vector == null || text == null || text.isBlank())) {
                throw new IllegalArgumentException("a hybrid search needs a vector and a text");
            }
            if (k < 1 || k > MAX_K) {
                throw new IllegalArgumentException("k must be between 1 and " + MAX_K);
            }
            return new SearchQuery(this);
        }
    }
}
