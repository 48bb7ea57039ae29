package dev.embedflow.qa.llm;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A retrieved document given to the answerer, numbered as it is cited: {@code [number]}.
 *
 * @param number 1-based citation number
 * @param id the document id in the index
 * @param entity the entity key, or null
 * @param windowStart the window start, or null
 * @param windowEnd the window end, or null
 * @param text the text the answerer sees (possibly shortened to fit the budget)
 * @param score the retrieval score (the fused rank score of a hybrid search)
 * @param vectorScore the k-NN score, or null when only BM25 found it
 * @param metadata the document's metadata
 */
public record Passage(
        int number,
        String id,
        String entity,
        Instant windowStart,
        Instant windowEnd,
        String text,
        double score,
        Double vectorScore,
        Map<String, Object> metadata) {

    public Passage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        metadata = metadata == null ? Map.of() : metadata;
    }

    /** The same passage under another number. */
    public Passage renumbered(int newNumber) {
        return new Passage(
                newNumber, id, entity, windowStart, windowEnd, text, score, vectorScore, metadata);
    }

    /** The same passage with a shorter text. */
    public Passage withText(String newText) {
        return new Passage(
                number, id, entity, windowStart, windowEnd, newText, score, vectorScore, metadata);
    }
}
