package dev.embedflow.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.opensearch.JsonResponse;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Runs {@link SearchQuery}s against an EmbedFlow index (or its alias).
 *
 * <p>Hybrid search fuses a filtered k-NN query and a filtered BM25 query by reciprocal rank (score
 * = Σ 1 / (60 + rank)) here in the client. A {@code bool} of {@code should: [knn, match]} would add
 * a cosine score in [0, 1] to an unbounded BM25 score, so BM25 would decide the order; OpenSearch's
 * own {@code hybrid} query normalises scores properly but needs the neural-search plugin and a
 * search pipeline, which not every cluster (nor the test node) has. Rank fusion needs neither and
 * is insensitive to score scales.
 */
@PublicEvolving
public final class SemanticSearch {

    /** The reciprocal-rank-fusion constant (as in the RRF paper and OpenSearch's RRF processor). */
    public static final int RRF_K = 60;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenSearchConnection connection;

    public SemanticSearch(OpenSearchConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /** The ranked hits of {@code query} in {@code indexOrAlias}, best first. */
    public List<SearchHit> search(String indexOrAlias, SearchQuery query) {
        if (query.hybrid()) {
            int depth = Math.max(query.k() * 2, 20);
            List<JsonNode> knn = hits(indexOrAlias, knnBody(query, depth), depth);
            List<JsonNode> bm25 = hits(indexOrAlias, matchBody(query, depth), depth);
            return fuse(List.of(knn, bm25), query.k());
        }
        ObjectNode body =
                query.vector().isPresent()
                        ? knnBody(query, query.k())
                        : matchBody(query, query.k());
        List<JsonNode> hits = hits(indexOrAlias, body, query.k());
        List<SearchHit> result = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) {
            result.add(toHit(i + 1, hits.get(i).path("_score").asDouble(), hits.get(i)));
        }
        return result;
    }

    /** The k-NN request body (filters inside the k-NN clause). Public for the docs and tests. */
    public static ObjectNode knnBody(SearchQuery query, int size) {
        ObjectNode body = base(size);
        ObjectNode knn = body.putObject("query").putObject("knn").putObject(IndexFields.EMBEDDING);
        ArrayNode vector = knn.putArray("vector");
        for (float v : query.vector().orElseThrow()) {
            vector.add(v);
        }
        knn.put("k", size);
        if (!query.filters().isEmpty()) {
            knn.set("filter", filter(query));
        }
        return body;
    }

    /** The BM25 request body. */
    public static ObjectNode matchBody(SearchQuery query, int size) {
        ObjectNode body = base(size);
        ObjectNode bool = body.putObject("query").putObject("bool");
        bool.putArray("must")
                .addObject()
                .putObject("match")
                .put(IndexFields.TEXT, query.text().orElseThrow());
        if (!query.filters().isEmpty()) {
            bool.putArray("filter").add(filter(query));
        }
        return body;
    }

    private static ObjectNode base(int size) {
        ObjectNode body = JSON.createObjectNode();
        body.put("size", size);
        body.putObject("_source").putArray("excludes").add(IndexFields.EMBEDDING);
        return body;
    }

    private static ObjectNode filter(SearchQuery query) {
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
        return node;
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

    private static List<SearchHit> fuse(List<List<JsonNode>> rankings, int k) {
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, JsonNode> docs = new LinkedHashMap<>();
        for (List<JsonNode> ranking : rankings) {
            for (int i = 0; i < ranking.size(); i++) {
                JsonNode hit = ranking.get(i);
                String key = hit.path("_index").asText() + "/" + hit.path("_id").asText();
                scores.merge(key, 1.0 / (RRF_K + i + 1), Double::sum);
                docs.putIfAbsent(key, hit);
            }
        }
        List<Map.Entry<String, Double>> ranked = new ArrayList<>(scores.entrySet());
        ranked.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
        List<SearchHit> result = new ArrayList<>();
        for (int i = 0; i < Math.min(k, ranked.size()); i++) {
            Map.Entry<String, Double> e = ranked.get(i);
            result.add(toHit(i + 1, e.getValue(), docs.get(e.getKey())));
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static SearchHit toHit(int rank, double score, JsonNode hit) {
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
                metadata);
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
