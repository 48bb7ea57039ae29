package dev.embedflow.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One ranked hit.
 *
 * @param rank 1-based rank
 * @param score OpenSearch's score (k-NN or BM25), or the fused reciprocal-rank score of a hybrid
 *     search
 * @param id the document id
 * @param entity the entity key, or null
 * @param windowStart the window start, or null
 * @param windowEnd the window end, or null
 * @param firstLine the first non-empty line of the text
 * @param model the embedding model recorded on the document
 * @param metadata the document's metadata
 * @param text the document's whole text
 * @param vectorScore the k-NN score of the document for the query vector ((1 + cosine) / 2 for
 *     {@code cosinesimil}), or null when the hit did not come from the k-NN ranking (a BM25 search,
 *     or a hybrid hit that only BM25 found)
 */
@PublicEvolving
public record SearchHit(
        int rank,
        double score,
        String id,
        String entity,
        Instant windowStart,
        Instant windowEnd,
        String firstLine,
        String model,
        Map<String, Object> metadata,
        String text,
        Double vectorScore) {

    /** {@code start/end} in ISO-8601, if the document has a window. */
    public Optional<String> window() {
        if (windowStart == null && windowEnd == null) {
            return Optional.empty();
        }
        return Optional.of(windowStart + "/" + windowEnd);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The hit as JSON, as {@code embedflow search --json} and the Q&A service's {@code /v1/search}
     * print it: rank, score, vector_score, id, entity, window_start, window_end, first_line, text,
     * model, metadata.
     */
    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("rank", rank);
        node.put("score", score);
        node.put("vector_score", vectorScore);
        node.put("id", id);
        node.put("entity", entity);
        node.put("window_start", windowStart == null ? null : windowStart.toString());
        node.put("window_end", windowEnd == null ? null : windowEnd.toString());
        node.put("first_line", firstLine);
        node.put("text", text);
        node.put("model", model);
        node.set("metadata", JSON.valueToTree(metadata));
        return node;
    }

    /** {@link #toJson()} of each hit, in order. */
    public static ArrayNode toJson(List<SearchHit> hits) {
        ArrayNode array = JSON.createArrayNode();
        hits.forEach(hit -> array.add(hit.toJson()));
        return array;
    }
}
