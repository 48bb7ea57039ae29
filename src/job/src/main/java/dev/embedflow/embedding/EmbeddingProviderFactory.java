package dev.embedflow.embedding;

import org.apache.flink.annotation.PublicEvolving;

/**
 * Creates a provider that is not built into the job, found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.embedflow.embedding.EmbeddingProviderFactory}). The in-process
 * model (module {@code embedflow-model}, in the job jar flavour with the model) registers the
 * {@link ProviderKind#LOCAL} one; the HTTP providers are built in.
 */
@PublicEvolving
public interface EmbeddingProviderFactory {

    /** The kind this factory creates. */
    ProviderKind kind();

    /** The model the provider serves when the configuration names none. */
    String defaultModel();

    /** A new, not yet opened provider. */
    EmbeddingProvider create(EmbeddingConfig config);
}
