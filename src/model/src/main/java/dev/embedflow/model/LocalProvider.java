package dev.embedflow.model;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.Outcome;
import dev.embedflow.embedding.ProviderKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The in-process model {@code embedding.model} names ({@link LocalModel}: all-MiniLM-L6-v2 by
 * default, or all-MiniLM-L6-v2-int8), through the JVM's shared instance ({@link
 * LocalEmbeddingModel#acquireShared(LocalModel)}): every subtask of a TaskManager shares one
 * inference lane. Its failures get the same outcomes as HTTP ones: a text over the token limit
 * splits the batch, a full queue is a rate limit.
 */
public final class LocalProvider implements EmbeddingProvider {

    private final EmbeddingConfig config;
    private final LocalModel variant;
    private volatile LocalEmbeddingModel model;

    /**
     * @throws IllegalArgumentException if {@code embedding.model} names no local model
     */
    public LocalProvider(EmbeddingConfig config) {
        this.config = config;
        this.variant = LocalModel.forName(config.model().orElse(null));
    }

    @Override
    public ProviderKind kind() {
        return ProviderKind.LOCAL;
    }

    @Override
    public String describe() {
        return "local in-process model (model " + variant.id() + ")";
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public synchronized void open() {
        if (model != null) {
            return;
        }
        model = LocalEmbeddingModel.acquireShared(variant);
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embed(List<String> texts) {
        LocalEmbeddingModel m = model;
        if (m == null) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException(describe() + " is not open"));
        }
        TruncationPolicy policy =
                config.truncate() ? TruncationPolicy.TRUNCATE : TruncationPolicy.REJECT;
        CompletableFuture<EmbeddingResponse> result = new CompletableFuture<>();
        m.embedAsync(texts, policy)
                .whenComplete(
                        (embeddings, error) -> {
                            if (error == null) {
                                List<float[]> vectors = new ArrayList<>(embeddings.size());
                                for (Embedding e : embeddings) {
                                    vectors.add(e.vector());
                                }
                                result.complete(new EmbeddingResponse(vectors, m.modelId()));
                            } else {
                                result.completeExceptionally(
                                        failure(EmbeddingException.unwrap(error)));
                            }
                        });
        return result;
    }

    private EmbeddingException failure(Throwable t) {
        Outcome outcome;
        if (t instanceof TokenLimitExceededException || t instanceof IllegalArgumentException) {
            outcome = Outcome.SPLIT_BATCH;
        } else if (t instanceof EmbedderBusyException) {
            outcome = Outcome.RETRYABLE_RATE_LIMITED;
        } else {
            outcome = Outcome.FATAL;
        }
        String message = String.valueOf(t.getMessage());
        return new EmbeddingException(
                outcome, 0, null, message, describe() + " failed: " + message, t);
    }

    @Override
    public synchronized void close() {
        LocalEmbeddingModel m = model;
        model = null;
        if (m != null) {
            m.close();
        }
    }
}
