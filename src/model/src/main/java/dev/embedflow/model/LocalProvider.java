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
 * The in-process all-MiniLM-L6-v2 model, through the JVM's shared instance ({@link
 * LocalEmbeddingModel#acquireShared()}): every subtask of a TaskManager shares one inference lane.
 * Its failures get the same outcomes as HTTP ones: a text over the token limit splits the batch, a
 * full queue is a rate limit.
 */
public final class LocalProvider implements EmbeddingProvider {

    private final EmbeddingConfig config;
    private volatile LocalEmbeddingModel model;

    public LocalProvider(EmbeddingConfig config) {
        this.config = config;
    }

    @Override
    public ProviderKind kind() {
        return ProviderKind.LOCAL;
    }

    @Override
    public String describe() {
        return "local in-process model (model "
                + config.model().orElse(LocalEmbeddingModel.MODEL_ID)
                + ")";
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
        LocalEmbeddingModel m = LocalEmbeddingModel.acquireShared();
        String wanted = config.model().orElse(m.modelId());
        if (!wanted.equals(m.modelId()) && !m.modelAliases().contains(wanted)) {
            m.close();
            throw new IllegalStateException(
                    "the local provider serves "
                            + m.modelId()
                            + " only, not the configured model '"
                            + wanted
                            + "'");
        }
        model = m;
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
