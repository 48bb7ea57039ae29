package dev.embedflow.search;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ReadableConfig;

/**
 * A search: a query vector (embedded by the caller with the index's model) and/or a query text, the
 * number of hits, keyword filters, a time range, whether to fuse k-NN with BM25 (hybrid), whether
 * to return the best document per entity, and how hard to look ({@link SearchOptions}). Immutable;
 * build with {@link #builder()}.
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

    /** The most HNSW candidates one k-NN query explores (OpenSearch's limit on k is 10,000). */
    public static final int MAX_CANDIDATES = 10_000;

    private final float[] vector;
    private final String text;
    private final int k;
    private final Map<String, List<String>> filters;
    private final boolean hybrid;
    private final boolean byEntity;
    private final Instant since;
    private final Instant until;
    private final int candidates;
    private final int exactMaxDocuments;
    private final int hybridDepth;

    private SearchQuery(Builder b) {
        this.vector = b.vector == null ? null : b.vector.clone();
        this.text = b.text;
        this.k = b.k;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        b.filters.forEach((f, v) -> copy.put(f, List.copyOf(v)));
        this.filters = Collections.unmodifiableMap(copy);
        this.hybrid = b.hybrid;
        this.byEntity = b.byEntity;
        this.since = b.since;
        this.until = b.until;
        this.candidates = b.candidates;
        this.exactMaxDocuments = b.exactMaxDocuments;
        this.hybridDepth = b.hybridDepth;
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

    /** Whether hits are the best document of each entity (at most one per entity). */
    public boolean byEntity() {
        return byEntity;
    }

    /** Documents whose window (or event time) ends at or after this instant, if set. */
    public Optional<Instant> since() {
        return Optional.ofNullable(since);
    }

    /** Documents whose window (or event time) starts at or before this instant, if set. */
    public Optional<Instant> until() {
        return Optional.ofNullable(until);
    }

    /** HNSW candidates a k-NN query explores ({@link SearchOptions#KNN_CANDIDATES}). */
    public int candidates() {
        return candidates;
    }

    /** The most documents scored exactly ({@link SearchOptions#EXACT_MAX_DOCUMENTS}). */
    public int exactMaxDocuments() {
        return exactMaxDocuments;
    }

    /** Hits per ranking that hybrid search fuses ({@link SearchOptions#HYBRID_DEPTH}). */
    public int hybridDepth() {
        return hybridDepth;
    }

    /** Collects the query; {@link #build()} validates it. */
    public static final class Builder {
        private float[] vector;
        private String text;
        private int k = 10;
        private final Map<String, List<String>> filters = new LinkedHashMap<>();
        private boolean hybrid;
        private boolean byEntity;
        private Instant since;
        private Instant until;
        private int candidates = SearchOptions.KNN_CANDIDATES.defaultValue();
        private int exactMaxDocuments = SearchOptions.EXACT_MAX_DOCUMENTS.defaultValue();
        private int hybridDepth = SearchOptions.HYBRID_DEPTH.defaultValue();

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

        /** Returns the best document of each entity ("which customers ..."), not every window. */
        public Builder byEntity(boolean byEntity) {
            this.byEntity = byEntity;
            return this;
        }

        /**
         * Keeps documents whose window (or event time, one document per event) ends at or after.
         */
        public Builder since(Instant since) {
            this.since = since;
            return this;
        }

        /** Keeps documents whose window (or event time) starts at or before {@code until}. */
        public Builder until(Instant until) {
            this.until = until;
            return this;
        }

        /** HNSW candidates a k-NN query explores; see {@link SearchOptions#KNN_CANDIDATES}. */
        public Builder candidates(int candidates) {
            this.candidates = candidates;
            return this;
        }

        /** See {@link SearchOptions#EXACT_MAX_DOCUMENTS}; 0 always walks the graph. */
        public Builder exactMaxDocuments(int exactMaxDocuments) {
            this.exactMaxDocuments = exactMaxDocuments;
            return this;
        }

        /** See {@link SearchOptions#HYBRID_DEPTH}. */
        public Builder hybridDepth(int hybridDepth) {
            this.hybridDepth = hybridDepth;
            return this;
        }

        /**
         * Candidates, exact scoring and hybrid depth from {@code config} ({@link SearchOptions}).
         */
        public Builder options(ReadableConfig config) {
            return candidates(config.get(SearchOptions.KNN_CANDIDATES))
                    .exactMaxDocuments(config.get(SearchOptions.EXACT_MAX_DOCUMENTS))
                    .hybridDepth(config.get(SearchOptions.HYBRID_DEPTH));
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
            if (candidates < 1 || candidates > MAX_CANDIDATES) {
                throw new IllegalArgumentException(
                        SearchOptions.KNN_CANDIDATES.key()
                                + " must be between 1 and "
                                + MAX_CANDIDATES
                                + ", was "
                                + candidates);
            }
            if (exactMaxDocuments < 0) {
                throw new IllegalArgumentException(
                        SearchOptions.EXACT_MAX_DOCUMENTS.key()
                                + " must be 0 or more, was "
                                + exactMaxDocuments);
            }
            if (hybridDepth < 1 || hybridDepth > MAX_K) {
                throw new IllegalArgumentException(
                        SearchOptions.HYBRID_DEPTH.key()
                                + " must be between 1 and "
                                + MAX_K
                                + ", was "
                                + hybridDepth);
            }
            if (since != null && until != null && since.isAfter(until)) {
                throw new IllegalArgumentException(
                        "since (" + since + ") is after until (" + until + ")");
            }
            return new SearchQuery(this);
        }
    }
}
