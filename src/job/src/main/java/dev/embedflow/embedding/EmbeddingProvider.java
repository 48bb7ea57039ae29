package dev.embedflow.embedding;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One embedding service, used by the streaming and the batch job alike. Implementations are
 * thread-safe and never block the caller: {@link #embed} sends one request and returns at once.
 *
 * <p>Life cycle: {@link #open()} once (it creates the HTTP client and reads the API key), then any
 * number of {@link #embed} calls from any thread, then {@link #close()}.
 */
@PublicEvolving
public interface EmbeddingProvider extends AutoCloseable {

    /** Which kind of service this is. */
    ProviderKind kind();

    /**
     * Provider, endpoint URL and model, e.g. {@code openai at http://host/v1/embeddings (model
     * text-embedding-3-small)}, for messages; never a secret.
     */
    String describe();

    /**
     * Creates the client and reads the API key, if any.
     *
     * @throws IllegalStateException if the key's environment variable or file is missing or empty
     */
    void open();

    /**
     * Sends {@code texts} in one request. The future completes with one vector per text, in input
     * order, or fails with an {@link EmbeddingException} naming the {@link Outcome}. Completion
     * happens on the client's own threads: keep dependent stages short or hop to an executor.
     */
    CompletableFuture<EmbeddingResponse> embed(List<String> texts);

    /**
     * Embeds one short text to learn the model name and dimension, for the sink's pre-flight check.
     */
    default CompletableFuture<ModelInfo> probe() {
        return embed(List.of("EmbedFlow start-up probe"))
                .thenApply(
                        r -> {
                            if (r.vectors().size() != 1 || r.vectors().get(0).length == 0) {
                                throw new IllegalStateException(
                                        describe() + " answered the probe without a vector");
                            }
                            return new ModelInfo(kind(), r.model(), r.vectors().get(0).length);
                        });
    }

    /** Closes the client. Idempotent; requests still running fail. */
    @Override
    void close();
}
