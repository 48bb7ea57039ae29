package dev.embedflow.search;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;

/** How searches explore the index, as typed Flink options (read by the CLI and the library). */
@PublicEvolving
public final class SearchOptions {

    public static final ConfigOption<Integer> KNN_CANDIDATES =
            key("search.knn.candidates")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "Candidates each k-NN query explores in the HNSW graph (OpenSearch's k,"
                                    + " and ef_search), however few hits it returns: with k equal to"
                                    + " the page size, a graph crowded with near-duplicate texts"
                                    + " misses true nearest neighbours. More candidates find them"
                                    + " more often, at some latency.");

    public static final ConfigOption<Integer> EXACT_MAX_DOCUMENTS =
            key("search.exact.max-documents")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "A k-NN query whose filters (or whose index) leave at most this many"
                                    + " documents scores every one of them exactly (the k-NN"
                                    + " plugin's knn_score script) instead of walking the graph;"
                                    + " one _count request decides. 0 always uses the graph.");

    public static final ConfigOption<Integer> HYBRID_DEPTH =
            key("search.hybrid.depth")
                    .intType()
                    .defaultValue(50)
                    .withDescription(
                            "Hits of the k-NN ranking and of the BM25 ranking that hybrid search"
                                    + " fuses by reciprocal rank (at least the hits it returns).");

    private SearchOptions() {}

    /** Every option of this class, for the configuration reference. */
    public static List<ConfigOption<?>> all() {
        return List.of(KNN_CANDIDATES, EXACT_MAX_DOCUMENTS, HYBRID_DEPTH);
    }
}
