package dev.embedflow.testing;

import dev.embedflow.embedding.local.Embedder;
import dev.embedflow.embedding.local.Embedding;
import dev.embedflow.embedding.local.TruncationPolicy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** The real model, counting the texts it is asked to embed (behind an embedding server). */
public final class CountingEmbedder implements Embedder {
    public final AtomicInteger texts = new AtomicInteger();
    private final Embedder delegate;

    public CountingEmbedder(Embedder delegate) {
        this.delegate = delegate;
    }

    @Override
    public String modelId() {
        return delegate.modelId();
    }

    @Override
    public Set<String> modelAliases() {
        return delegate.modelAliases();
    }

    @Override
    public int dimensions() {
        return delegate.dimensions();
    }

    @Override
    public int maxTokens() {
        return delegate.maxTokens();
    }

    @Override
    public int countTokens(String text) {
        return delegate.countTokens(text);
    }

    @Override
    public CompletableFuture<List<Embedding>> embedAsync(
            List<String> input, TruncationPolicy policy) {
        texts.addAndGet(input.size());
        return delegate.embedAsync(input, policy);
    }
}
