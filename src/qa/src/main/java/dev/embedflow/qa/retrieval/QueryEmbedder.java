package dev.embedflow.qa.retrieval;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingOptions;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.provider.EmbeddingProviders;
import dev.embedflow.model.LocalEmbeddingModel;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Embeds a query with the index's model: the in-process all-MiniLM-L6-v2 when no {@code
 * embedding.provider} is set (as {@code embedflow local} indexes), otherwise the configured
 * provider (as the job was configured). Shared by {@code embedflow search} and the Q&A service.
 */
public interface QueryEmbedder extends AutoCloseable {

    /** The model's name, as the index records it ({@code _meta.embedflow.model}). */
    String model();

    /** The query's vector. */
    float[] embed(String query);

    @Override
    void close();

    /** The embedder {@code config} names (the local model when it names no provider). */
    static QueryEmbedder fromConfiguration(ReadableConfig config) {
        if (config.getOptional(EmbeddingOptions.PROVIDER).isEmpty()) {
            return local(LocalEmbeddingModel.acquireShared());
        }
        return provider(EmbeddingConfig.fromConfiguration(config));
    }

    /** The in-process model; closing the embedder releases it. */
    static QueryEmbedder local(LocalEmbeddingModel model) {
        return new QueryEmbedder() {
            @Override
            public String model() {
                return model.modelId();
            }

            @Override
            public float[] embed(String query) {
                return model.embed(query).vector();
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }

    /**
     * A remote provider (OpenAI, TEI, Ollama, ...), opened and probed now (to learn the model's
     * name as the service reports it), closed with the embedder.
     */
    static QueryEmbedder provider(EmbeddingConfig config) {
        EmbeddingProvider provider = EmbeddingProviders.create(config);
        provider.open();
        long timeoutMs = config.requestTimeout().toMillis() + 5_000;
        String probed;
        try {
            probed = provider.probe().get(timeoutMs, TimeUnit.MILLISECONDS).model();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(provider);
            throw new IllegalStateException("interrupted while probing " + provider.describe(), e);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(provider);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(
                    "cannot embed with " + provider.describe() + ": " + cause.getMessage(), cause);
        }
        return new QueryEmbedder() {
            private volatile String model = probed;

            @Override
            public String model() {
                return model;
            }

            @Override
            public float[] embed(String query) {
                try {
                    EmbeddingResponse response =
                            provider.embed(List.of(query)).get(timeoutMs, TimeUnit.MILLISECONDS);
                    model = response.model();
                    return response.vectors().get(0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while embedding the query", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(
                            "embedding the query failed: " + e.getCause().getMessage(),
                            e.getCause());
                } catch (TimeoutException e) {
                    throw new IllegalStateException(
                            "embedding the query took longer than " + timeoutMs + " ms", e);
                }
            }

            @Override
            public void close() {
                closeQuietly(provider);
            }
        };
    }

    private static void closeQuietly(EmbeddingProvider provider) {
        try {
            provider.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(QueryEmbedder.class)
                    .debug("closing the embedding provider failed", e);
        }
    }
}
