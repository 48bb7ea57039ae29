package dev.embedflow.bench;

import dev.embedflow.model.Embedder;
import dev.embedflow.model.Embedding;
import dev.embedflow.model.TruncationPolicy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** An {@link Embedder} that counts the calls and texts it passes on to another (server side). */
public final class CountingEmbedder implements Embedder {

    private final Embedder delegate;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong texts = new AtomicLong();
    private final AtomicLong firstCallNanos = new AtomicLong();
    private final AtomicLong lastDoneNanos = new AtomicLong();

    public CountingEmbedder(Embedder delegate) {
        this.delegate = delegate;
    }

    /** Embedding calls so far: one per HTTP request the server answered. */
    public long calls() {
        return calls.get();
    }

    public long texts() {
        return texts.get();
    }

    /**
     * Seconds from the first call since the last reset to the last answer (0 before any answer):
     * the span in which the server was busy with this client's requests.
     */
    public double busySeconds() {
        long first = firstCallNanos.get();
        long last = lastDoneNanos.get();
        return first == 0 || last <= first ? 0 : (last - first) / 1e9;
    }

    void reset() {
        calls.set(0);
        texts.set(0);
        firstCallNanos.set(0);
        lastDoneNanos.set(0);
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
            List<String> texts, TruncationPolicy policy) {
        firstCallNanos.compareAndSet(0, System.nanoTime());
        calls.incrementAndGet();
        this.texts.addAndGet(texts.size());
        return delegate.embedAsync(texts, policy)
                .whenComplete(
                        (result, failure) ->
                                lastDoneNanos.accumulateAndGet(System.nanoTime(), Math::max));
    }
}
