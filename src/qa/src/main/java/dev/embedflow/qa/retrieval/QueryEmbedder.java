package dev.embedflow.qa.retrieval;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingOptions;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.provider.EmbeddingProviders;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.LocalModel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Embeds a query with the index's model: an in-process model when no {@code embedding.provider} is
 * set (as {@code embedflow local} indexes; all-MiniLM-L6-v2 or its int8 export, whichever the index
 * records unless {@code embedding.model} pins one), otherwise the configured provider (as the job
 * was configured). Shared by {@code embedflow search} and the Q&A service.
 */
public interface QueryEmbedder extends AutoCloseable {

    /** The model's name, as the index records it ({@code _meta.embedflow.model}). */
    String model();

    /** The query's vector. */
    float[] embed(String query);

    /**
     * Makes this embedder use {@code indexModel}, the model an index records, if it can: only an
     * in-process embedder whose model was not pinned by {@code embedding.model} switches, to the
     * local model of that name (after {@code index promote} moved the alias from an fp32 index to
     * an int8 one, say).
     *
     * @return whether the embedder now embeds with {@code indexModel}
     */
    default boolean follow(String indexModel) {
        return indexModel != null && indexModel.equals(model());
    }

    @Override
    void close();

    /** The embedder {@code config} names (a local model when it names no provider). */
    static QueryEmbedder fromConfiguration(ReadableConfig config) {
        return fromConfiguration(config, null);
    }

    /**
     * The embedder {@code config} names; a local one (no provider) starts with {@code indexModel}
     * when that is a local model and {@code embedding.model} does not pin another.
     */
    static QueryEmbedder fromConfiguration(ReadableConfig config, String indexModel) {
        if (config.getOptional(EmbeddingOptions.PROVIDER).isEmpty()) {
            Optional<String> pinned = config.getOptional(EmbeddingOptions.MODEL);
            LocalModel model =
                    pinned.isPresent()
                            ? LocalModel.forName(pinned.get())
                            : LocalModel.named(indexModel).orElse(LocalModel.DEFAULT);
            return new LocalQueryEmbedder(
                    LocalEmbeddingModel.acquireShared(model), pinned.isEmpty());
        }
        return provider(EmbeddingConfig.fromConfiguration(config));
    }

    /** The in-process model, fixed; closing the embedder releases it. */
    static QueryEmbedder local(LocalEmbeddingModel model) {
        return new LocalQueryEmbedder(model, false);
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
