package dev.embedflow.embedding;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * What the start-up probe learnt about the model: the sink checks the index mapping against it.
 *
 * @param provider the provider kind
 * @param model the model's name as the service reports it
 * @param dimensions the vector dimension
 */
@PublicEvolving
public record ModelInfo(ProviderKind provider, String model, int dimensions) {
    public ModelInfo {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be >= 1, got " + dimensions);
        }
    }
}
