package dev.embedflow.qa.retrieval;

import dev.embedflow.index.IndexInfo;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.JobModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.qa.llm.Passage;
import dev.embedflow.search.SearchHit;
import dev.embedflow.search.SearchQuery;
import dev.embedflow.search.SemanticSearch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Finds the passages for a question: embeds the query with the index's model, runs a hybrid (k-NN +
 * BM25) search with the tenant's mandatory filter inside it, and drops duplicates (the same id, or
 * the same text under another id, as a document's windows often repeat one another).
 */
public final class Retriever {

    /** How long a check of the index's model holds. */
    static final Duration MODEL_RECHECK = Duration.ofSeconds(10);

    private final OpenSearchConnection connection;
    private final SemanticSearch search;
    private final QueryEmbedder embedder;
    private final String index;
    private final ReadableConfig searchOptions;
    private final LongSupplier nanoClock;
    private volatile String checkedModel;
    private volatile long checkedAtNanos;

    public Retriever(
            OpenSearchConnection connection,
            QueryEmbedder embedder,
            String index,
            ReadableConfig searchOptions) {
        this(connection, embedder, index, searchOptions, System::nanoTime);
    }

    Retriever(
            OpenSearchConnection connection,
            QueryEmbedder embedder,
            String index,
            ReadableConfig searchOptions,
            LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.connection = Objects.requireNonNull(connection, "connection");
        this.search = new SemanticSearch(connection);
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.index = Objects.requireNonNull(index, "index");
        this.searchOptions = searchOptions;
    }

    /** The index or alias searched. */
    public String index() {
        return index;
    }

    /** The query embedding model. */
    public String model() {
        return embedder.model();
    }

    /** A search as {@code /v1/search} and {@code embedflow search} describe it. */
    public record Request(
            String query,
            int k,
            Map<String, List<String>> filters,
            boolean hybrid,
            boolean byEntity,
            Instant since,
            Instant until) {}

    /**
     * The hits of {@code request} with {@code mandatory} filters applied; empty when the filters
     * exclude everything.
     *
     * @throws IndexUnavailableException when the index does not exist or was built with another
     *     model
     */
    public List<SearchHit> search(Request request, Map<String, List<String>> mandatory) {
        Optional<Map<String, List<String>>> filters = Filters.combine(mandatory, request.filters());
        if (filters.isEmpty()) {
            return List.of();
        }
        checkModel();
        List<SearchHit> hits = run(request, filters.get());
        if (hits.stream()
                .anyMatch(h -> h.model() != null && !JobModel.sameModel(h.model(), model()))) {
            // The alias moved to an index of another model since the last check (index promote):
            // check now, follow it, and ask again with the new model's vector.
            checkedModel = null;
            checkModel();
            hits = run(request, filters.get());
        }
        return hits;
    }

    private List<SearchHit> run(Request request, Map<String, List<String>> filters) {
        SearchQuery.Builder q =
                SearchQuery.builder()
                        .text(request.query())
                        .vector(embedder.embed(request.query()))
                        .k(request.k())
                        .hybrid(request.hybrid())
                        .byEntity(request.byEntity())
                        .since(request.since())
                        .until(request.until())
                        .options(searchOptions);
        filters.forEach((field, values) -> values.forEach(v -> q.filter(field, v)));
        return search.search(index, q.build());
    }

    /** The passages for a chat question: hybrid, {@code k} hits, duplicates dropped. */
    public Retrieval passages(String query, int k, Map<String, List<String>> mandatory) {
        List<SearchHit> hits =
                search(new Request(query, k, Map.of(), true, false, null, null), mandatory);
        return new Retrieval(dedupe(hits), hits.size());
    }

    /** Hits as numbered passages, without repeated ids or texts (whitespace and case ignored). */
    static List<Passage> dedupe(List<SearchHit> hits) {
        List<Passage> passages = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> texts = new HashSet<>();
        for (SearchHit hit : hits) {
            String normalized = hit.text().strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
            if (!ids.add(hit.id()) || !texts.add(normalized)) {
                continue;
            }
            passages.add(
                    new Passage(
                            passages.size() + 1,
                            hit.id(),
                            hit.entity(),
                            hit.windowStart(),
                            hit.windowEnd(),
                            hit.text(),
                            hit.score(),
                            hit.vectorScore(),
                            hit.metadata()));
        }
        return passages;
    }

    /** Whether the index exists now (for /health). */
    public boolean indexExists() {
        return new IndexManager(connection).describe(index).isPresent();
    }

    /**
     * Checks, at most every {@link #MODEL_RECHECK} (and at once when a hit carries another model),
     * that the index (an alias that {@code index promote} may move) still records the query
     * embedder's model; a local embedder follows it to the other local model.
     */
    private void checkModel() {
        String model = embedder.model();
        long now = nanoClock.getAsLong();
        if (model.equals(checkedModel) && now - checkedAtNanos < MODEL_RECHECK.toNanos()) {
            return;
        }
        IndexInfo info =
                new IndexManager(connection)
                        .describe(index)
                        .orElseThrow(
                                () ->
                                        new IndexUnavailableException(
                                                "no index or alias named "
                                                        + index
                                                        + " yet: start the job (or embedflow"
                                                        + " batch) to create it"));
        String indexModel = info.model().orElse(null);
        if (indexModel != null
                && !JobModel.sameModel(indexModel, model)
                && embedder.follow(indexModel)) {
            model = embedder.model();
        }
        if (indexModel != null && !JobModel.sameModel(indexModel, model)) {
            throw new IndexUnavailableException(
                    info.name()
                            + " was built with the model "
                            + indexModel
                            + "; queries are embedded with "
                            + model
                            + ", whose vectors are not comparable. Set embedding.* to the"
                            + " index's model.");
        }
        checkedModel = model;
        checkedAtNanos = now;
    }
}
