package dev.embedflow.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.index.IndexInfo;
import dev.embedflow.index.IndexManager;
import dev.embedflow.opensearch.JsonResponse;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Runs {@link SearchQuery}s against an EmbedFlow index (or its alias).
 *
 * <p><b>k-NN.</b> The filters sit inside the k-NN clause, so the top hits are the nearest among
 * matching documents. The graph is asked for {@link SearchQuery#candidates()} neighbours however
 * few hits are returned: HNSW with a candidate list as short as the page misses true neighbours
 * when many near-duplicate texts crowd the graph. When the filters (or the whole index) leave at
 * most {@link SearchQuery#exactMaxDocuments()} documents, they are all scored exactly with the k-NN
 * plugin's {@code knn_score} script instead, on the same score scale as the graph's.
 *
 * <p><b>Hybrid.</b> A filtered k-NN ranking and a filtered BM25 ranking, each {@link
 * SearchQuery#hybridDepth()} deep, are fused by reciprocal rank (score = Σ 1 / (60 + rank)) here in
 * the client. A {@code bool} of {@code should: [knn, match]} would add a cosine score in [0, 1] to
 * an unbounded BM25 score, so BM25 would decide the order; OpenSearch's own {@code hybrid} query
 * normalises scores properly but needs the neural-search plugin and a search pipeline, which not
 * every cluster (nor the test node) has. Rank fusion needs neither and is insensitive to score
 * scales.
 *
 * <p><b>By entity.</b> At most one hit per entity, its best document ({@code collapse} on {@code
 * entity}; after fusion for hybrid). <b>Time range.</b> {@code since} keeps documents whose window
 * ends at or after it, {@code until} those whose window starts at or before it; documents without a
 * window (the batch job's) do not match a time range.
 */
@PublicEvolving
public final class SemanticSearch {

    /** The reciprocal-rank-fusion constant (as in the RRF paper and OpenSearch's RRF processor). */
    public static final int RRF_K = 60;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenSearchConnection connection;
    private final Map<String, IndexInfo> indexes = new ConcurrentHashMap<>();

    public SemanticSearch(OpenSearchConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /** The ranked hits of {@code query} in {@code indexOrAlias}, best first. */
    public List<SearchHit> search(String indexOrAlias, SearchQuery query) {
        if (query.hybrid()) {
            int depth = Math.max(query.k(), query.hybridDepth());
            List<JsonNode> knn = vectorHits(indexOrAlias, query, depth);
            List<JsonNode> bm25 = hits(indexOrAlias, matchBody(query, depth), depth);
            return fuse(List.of(knn, bm25), query.k(), query.byEntity());
        }
        List<JsonNode> hits =
                query.vector().isPresent()
                        ? vectorHits(indexOrAlias, query, query.k())
                        : hits(indexOrAlias, matchBody(query, query.k()), query.k());
        List<SearchHit> result = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) {
            double score = hits.get(i).path("_score").asDouble();
            Double vectorScore = query.vector().isPresent() ? score : null;
            result.add(toHit(i + 1, score, vectorScore, hits.get(i)));
        }
        return result;
    }

    /**
     * How many events the streaming job's documents in {@code indexOrAlias} cover: the sum of
     * {@code metadata.event_count} over each document's first chunk, for entities that start with
     * {@code entityPrefix} (empty: every entity), after a refresh (so the answer includes every
     * acknowledged write). What {@code embedflow local} and the benchmark wait on.
     */
    public long eventsCovered(String indexOrAlias, String entityPrefix) {
        connection.sendOk("POST", "/" + indexOrAlias + "/_refresh", null);
        ObjectNode body = JSON.createObjectNode();
        body.put("size", 0);
        ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
        filter.addObject().putObject("term").put(IndexFields.METADATA + ".chunk", 0);
        if (!entityPrefix.isEmpty()) {
            filter.addObject().putObject("prefix").put(IndexFields.ENTITY, entityPrefix);
        }
        body.putObject("aggs")
                .putObject("events")
                .putObject("sum")
                .put("field", IndexFields.METADATA + ".event_count");
        JsonNode answer = connection.sendOk("POST", "/" + indexOrAlias + "/_search", body);
        return Math.round(answer.path("aggregations").path("events").path("value").asDouble());
    }

    /**
     * Whether {@code query}'s k-NN part in {@code indexOrAlias} scores every matching document
     * exactly: at most {@link SearchQuery#exactMaxDocuments()} match its filters, and the index's
     * engine and space give exact scores on the graph's scale (lucene with {@code cosinesimil} or
     * {@code l2}).
     */
    public boolean scoresExactly(String indexOrAlias, SearchQuery query) {
        if (query.exactMaxDocuments() == 0 || !exactScoresMatchTheGraph(info(indexOrAlias))) {
            return false;
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("query", filterOrAll(query));
        JsonResponse response = connection.send("POST", "/" + indexOrAlias + "/_count", body);
        if (!response.ok()) {
            throw response.failure("count in " + indexOrAlias);
        }
        return response.body().path("count").asLong() <= query.exactMaxDocuments();
    }

    private List<JsonNode> vectorHits(String index, SearchQuery query, int size) {
        if (!scoresExactly(index, query)) {
            return hits(index, knnBody(query, size), size);
        }
        return hits(index, exactBody(query, size, info(index).spaceType()), size);
    }

    /** The k-NN request body (filters inside the k-NN clause). Public for the docs and tests. */
    public static ObjectNode knnBody(SearchQuery query, int size) {
        ObjectNode body = base(size, query);
        ObjectNode knn = body.putObject("query").putObject("knn").putObject(IndexFields.EMBEDDING);
        ArrayNode vector = knn.putArray("vector");
        for (float v : query.vector().orElseThrow()) {
            vector.add(v);
        }
        int candidates = Math.max(size, query.candidates());
        knn.put("k", candidates);
        knn.putObject("method_parameters").put("ef_search", candidates);
        filter(query).ifPresent(f -> knn.set("filter", f));
        return body;
    }

    /**
     * The exact k-NN body: the k-NN plugin's {@code knn_score} script over every document that
     * matches the filters. Public for the docs and tests.
     */
    public static ObjectNode exactBody(SearchQuery query, int size, String spaceType) {
        ObjectNode body = base(size, query);
        ObjectNode scriptScore = body.putObject("query").putObject("script_score");
        scriptScore.set("query", filterOrAll(query));
        ObjectNode script = scriptScore.putObject("script");
        script.put("lang", "knn").put("source", "knn_score");
        ObjectNode params = script.putObject("params");
        params.put("field", IndexFields.EMBEDDING);
        ArrayNode vector = params.putArray("query_value");
        for (float v : query.vector().orElseThrow()) {
            vector.add(v);
        }
        params.put("space_type", spaceType);
        return body;
    }

    /** The BM25 request body. */
    public static ObjectNode matchBody(SearchQuery query, int size) {
        ObjectNode body = base(size, query);
        ObjectNode bool = body.putObject("query").putObject("bool");
        bool.putArray("must")
                .addObject()
                .putObject("match")
                .put(IndexFields.TEXT, query.text().orElseThrow());
        filter(query).ifPresent(f -> bool.putArray("filter").add(f));
        return body;
    }

    /**
     * Whether {@code knn_score} gives the scores of the index's k-NN query: on the lucene engine
     * both give (1 + cosine) / 2 for {@code cosinesimil} and 1 / (1 + d²) for {@code l2} ({@code
     * SearchRecallITCase} compares them); other engines and spaces walk the graph.
     */
    static boolean exactScoresMatchTheGraph(IndexInfo info) {
        return "lucene".equals(info.engine())
                && ("cosinesimil".equals(info.spaceType()) || "l2".equals(info.spaceType()));
    }

    private IndexInfo info(String indexOrAlias) {
        return indexes.computeIfAbsent(
                indexOrAlias,
                name ->
                        new IndexManager(connection)
                                .describe(name)
                                .orElseThrow(
                                        () ->
                                                new IllegalArgumentException(
                                                        "no index or alias named " + name)));
    }

    private static ObjectNode base(int size, SearchQuery query) {
        ObjectNode body = JSON.createObjectNode();
        body.put("size", size);
        body.putObject("_source").putArray("excludes").add(IndexFields.EMBEDDING);
        if (query.byEntity()) {
            body.putObject("collapse").put("field", IndexFields.ENTITY);
        }
        return body;
    }

    /** The keyword filters and the time range as one {@code bool} filter, if there are any. */
    private static Optional<ObjectNode> filter(SearchQuery query) {
        if (query.filters().isEmpty() && query.since().isEmpty() && query.until().isEmpty()) {
            return Optional.empty();
        }
        ObjectNode node = JSON.createObjectNode();
        ArrayNode clauses = node.putObject("bool").putArray("filter");
        query.filters()
                .forEach(
                        (field, values) -> {
                            ArrayNode terms =
                                    clauses.addObject()
                                            .putObject("terms")
                                            .putArray(fieldPath(field));
                            values.forEach(terms::add);
                        });
        query.since()
                .ifPresent(
                        since ->
                                clauses.addObject()
                                        .putObject("range")
                                        .putObject(IndexFields.WINDOW_END)
                                        .put("gte", since.toString()));
        query.until()
                .ifPresent(
                        until ->
                                clauses.addObject()
                                        .putObject("range")
                                        .putObject(IndexFields.WINDOW_START)
                                        .put("lte", until.toString()));
        return Optional.of(node);
    }

    private static ObjectNode filterOrAll(SearchQuery query) {
        return filter(query)
                .orElseGet(
                        () -> {
                            ObjectNode all = JSON.createObjectNode();
                            all.putObject("match_all");
                            return all;
                        });
    }

    /** {@code entity} stays, {@code a.b} stays, anything else is {@code metadata.<field>}. */
    static String fieldPath(String field) {
        if (IndexFields.TOP_LEVEL_KEYWORDS.contains(field) || field.contains(".")) {
            return field;
        }
        return IndexFields.METADATA + "." + field;
    }

    private List<JsonNode> hits(String index, ObjectNode body, int size) {
        JsonResponse response = connection.send("POST", "/" + index + "/_search", body);
        if (!response.ok()) {
            throw response.failure("search in " + index);
        }
        List<JsonNode> hits = new ArrayList<>();
        response.body().path("hits").path("hits").forEach(hits::add);
        return hits.size() > size ? hits.subList(0, size) : hits;
    }

    /** Fuses rankings by reciprocal rank; the first ranking is the k-NN one (its scores kept). */
    private static List<SearchHit> fuse(List<List<JsonNode>> rankings, int k, boolean byEntity) {
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, JsonNode> docs = new LinkedHashMap<>();
        Map<String, Double> vectorScores = new HashMap<>();
        for (int r = 0; r < rankings.size(); r++) {
            List<JsonNode> ranking = rankings.get(r);
            for (int i = 0; i < ranking.size(); i++) {
                JsonNode hit = ranking.get(i);
                String key = hit.path("_index").asText() + "/" + hit.path("_id").asText();
                scores.merge(key, 1.0 / (RRF_K + i + 1), Double::sum);
                docs.putIfAbsent(key, hit);
                if (r == 0) {
                    vectorScores.put(key, hit.path("_score").asDouble());
                }
            }
        }
        List<Map.Entry<String, Double>> ranked = new ArrayList<>(scores.entrySet());
        ranked.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
        List<SearchHit> result = new ArrayList<>();
        Set<String> entities = new HashSet<>();
        for (Map.Entry<String, Double> e : ranked) {
            if (result.size() == k) {
                break;
            }
            JsonNode hit = docs.get(e.getKey());
            String entity = hit.path("_source").path(IndexFields.ENTITY).asText(e.getKey());
            if (!byEntity || entities.add(entity)) {
                result.add(
                        toHit(result.size() + 1, e.getValue(), vectorScores.get(e.getKey()), hit));
            }
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static SearchHit toHit(int rank, double score, Double vectorScore, JsonNode hit) {
        JsonNode source = hit.path("_source");
        Map<String, Object> metadata =
                source.has(IndexFields.METADATA)
                        ? JSON.convertValue(source.get(IndexFields.METADATA), Map.class)
                        : Map.of();
        return new SearchHit(
                rank,
                score,
                hit.path("_id").asText(),
                source.path(IndexFields.ENTITY).asText(null),
                instant(source.path(IndexFields.WINDOW_START)),
                instant(source.path(IndexFields.WINDOW_END)),
                firstLine(source.path(IndexFields.TEXT).asText("")),
                source.path(IndexFields.MODEL).asText(null),
                metadata,
                source.path(IndexFields.TEXT).asText(""),
                vectorScore);
    }

    private static Instant instant(JsonNode node) {
        if (!node.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The first non-blank line of {@code text}, stripped. */
    static String firstLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }
}
