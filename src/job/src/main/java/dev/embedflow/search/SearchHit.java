package dev.embedflow.search;

import java.time.Instant;
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
        Map<String, Object> metadata) {

    /** {@code start/end} in ISO-8601, if the document has a window. */
    public Optional<String> window() {
        if (windowStart == null && windowEnd == null) {
            return Optional.empty();
        }
        return Optional.of(windowStart + "/" + windowEnd);
    }
}
