package dev.embedflow.embedding;

import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The answer to one embedding request: one vector per input text, in input order.
 *
 * @param vectors vector {@code i} belongs to text {@code i}
 * @param model the model that answered, as the service names it (the configured one when the
 *     service does not say)
 */
@PublicEvolving
public record EmbeddingResponse(List<float[]> vectors, String model) {
    public EmbeddingResponse {
        vectors = List.copyOf(vectors);
        Objects.requireNonNull(model, "model");
    }
}
