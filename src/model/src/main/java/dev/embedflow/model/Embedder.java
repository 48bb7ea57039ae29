package dev.embedflow.model;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns texts into vectors. Implementations are thread-safe; {@link #embedAsync} never blocks the
 * caller on inference.
 */
public interface Embedder {

    /** The model's name as served, e.g. {@code all-MiniLM-L6-v2}. */
    String modelId();

    /** Other names a client may use for the same model (e.g. the Hugging Face repository id). */
    default Set<String> modelAliases() {
        return Set.of();
    }

    /** Number of dimensions of every vector. */
    int dimensions();

    /** The most tokens one text may have, special tokens included. */
    int maxTokens();

    /** How many tokens the model would see for {@code text}, special tokens included. */
    int countTokens(String text);

    /**
     * Embeds {@code texts}; the future's list is in input order. The future fails with {@link
     * TokenLimitExceededException} if a text is over {@link #maxTokens()} and the policy is {@link
     * TruncationPolicy#REJECT}, with {@link EmbedderBusyException} if the queue is full, and with
     * {@link IllegalStateException} once the embedder is closed.
     */
    CompletableFuture<List<Embedding>> embedAsync(List<String> texts, TruncationPolicy policy);

    /** {@link #embedAsync(List, TruncationPolicy)} rejecting texts over the limit. */
    default CompletableFuture<List<Embedding>> embedAsync(List<String> texts) {
        return embedAsync(texts, TruncationPolicy.REJECT);
    }

    /**
     * Blocking {@link #embedAsync(List, TruncationPolicy)}: throws the exception the future failed
     * with (e.g. {@link TokenLimitExceededException}) rather than a wrapper.
     */
    default List<Embedding> embed(List<String> texts, TruncationPolicy policy) {
        try {
            return embedAsync(texts, policy).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embeddings", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("embedding failed", cause);
        }
    }

    /** Blocking embedding of texts, rejecting texts over the limit. */
    default List<Embedding> embed(List<String> texts) {
        return embed(texts, TruncationPolicy.REJECT);
    }

    /** Blocking embedding of one text, rejecting it if it is over the limit. */
    default Embedding embed(String text) {
        return embed(List.of(text), TruncationPolicy.REJECT).get(0);
    }
}
