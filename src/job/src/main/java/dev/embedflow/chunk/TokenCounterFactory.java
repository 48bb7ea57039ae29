package dev.embedflow.chunk;

import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Exact token counters for the models whose tokenizer a jar carries, found through {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.embedflow.chunk.TokenCounterFactory}). The
 * in-process model (module {@code embedflow-model}) registers all-MiniLM-L6-v2's WordPiece
 * tokenizer; without one, chunking estimates tokens from bytes ({@link TokenCounter#estimate}).
 */
@PublicEvolving
public interface TokenCounterFactory {

    /**
     * The counter of {@code model} (as the embedding service names it), if this factory has one.
     */
    Optional<TokenCounter> forModel(String model);
}
