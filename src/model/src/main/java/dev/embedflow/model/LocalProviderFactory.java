package dev.embedflow.model;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingProviderFactory;
import dev.embedflow.embedding.ProviderKind;
import org.apache.flink.annotation.Internal;

/** Registers {@link LocalProvider} as {@code embedding.provider=local} (ServiceLoader). */
@Internal
public final class LocalProviderFactory implements EmbeddingProviderFactory {

    @Override
    public ProviderKind kind() {
        return ProviderKind.LOCAL;
    }

    @Override
    public String defaultModel() {
        return LocalEmbeddingModel.MODEL_ID;
    }

    @Override
    public EmbeddingProvider create(EmbeddingConfig config) {
        return new LocalProvider(config);
    }
}
