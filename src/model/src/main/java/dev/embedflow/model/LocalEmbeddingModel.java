package dev.embedflow.model;

import dev.embedflow.chunk.ChunkOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code local} embedding provider: sentence-transformers all-MiniLM-L6-v2 run in-process with
 * ONNX Runtime, fully offline (model and tokenizer come from the classpath). 384-dimensional,
 * L2-normalised vectors from attention-masked mean pooling; at most {@value #MAX_TOKENS} tokens per
 * text, {@code [CLS]} and {@code [SEP]} included, and a longer text is an error unless the caller
 * asks for {@link TruncationPolicy#TRUNCATE}.
 *
 * <p>All inference of one model instance goes through a single worker thread that uses every
 * intra-op thread, so that concurrent callers queue instead of oversubscribing the CPU. Callers
 * tokenize on their own thread. Within a call (and across queued calls, which the worker merges)
 * texts are sorted by token length and run in batches of up to {@link
 * LocalModelConfig#maxBatchSize()}; results come back in input order.
 *
 * <p>Futures returned by {@link #embedAsync} are completed on the inference thread: dependent
 * stages attached without an executor run there and delay every other caller, so keep them short or
 * use the {@code ...Async} variants with an executor.
 *
 * <p>One JVM should hold one model: {@link #acquireShared()} hands out references to a
 * lazily-loaded shared instance (for example one per Flink subtask in a TaskManager); {@link
 * #create(LocalModelConfig)} loads a private one. Either way {@link #close()} must be called once
 * per handle.
 *
 * <p>An empty or whitespace-only text is embedded as the model sees it: {@code [CLS] [SEP]} (2
 * tokens), as sentence-transformers does; callers that consider it meaningless must filter it.
 */
public final class LocalEmbeddingModel implements Embedder, AutoCloseable {

    /** The served model id. */
    public static final String MODEL_ID = ChunkOptions.MINILM_MODEL;

    /** The model's Hugging Face repository id, accepted as an alias. */
    public static final String HUGGING_FACE_ID = "sentence-transformers/all-MiniLM-L6-v2";

    /** Vector dimensions. */
    public static final int DIMENSIONS = ModelEngine.DIMENSIONS;

    /** Most tokens per text, [CLS] and [SEP] included (the model's max_seq_length). */
    public static final int MAX_TOKENS = ModelEngine.MAX_TOKENS;

    private static final Object SHARED_LOCK = new Object();
    private static ModelEngine sharedEngine; // guarded by SHARED_LOCK
    private static int sharedReferences; // guarded by SHARED_LOCK

    private final ModelEngine engine;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalEmbeddingModel(ModelEngine engine, Runnable release) {
        this.engine = engine;
        this.release = release;
    }

    /**
     * Loads a private model instance with its own inference lane (a second or two, ~200 MB).
     *
     * @throws UncheckedIOException if the model or tokenizer cannot be loaded
     */
    public static LocalEmbeddingModel create(LocalModelConfig config) {
        Objects.requireNonNull(config, "config");
        ModelEngine engine = load(config);
        return new LocalEmbeddingModel(engine, engine::close);
    }

    /**
     * A reference to the JVM's shared model (loaded with {@link LocalModelConfig#defaults()} on
     * first use). The model is released when the last reference is closed; a later call loads it
     * again.
     *
     * @throws UncheckedIOException if the model or tokenizer cannot be loaded
     */
    public static LocalEmbeddingModel acquireShared() {
        synchronized (SHARED_LOCK) {
            if (sharedEngine == null) {
                sharedEngine = load(LocalModelConfig.defaults());
            }
            sharedReferences++;
            return new LocalEmbeddingModel(sharedEngine, LocalEmbeddingModel::releaseShared);
        }
    }

    private static void releaseShared() {
        ModelEngine toClose = null;
        synchronized (SHARED_LOCK) {
            if (--sharedReferences == 0) {
                toClose = sharedEngine;
                sharedEngine = null;
            }
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    private static ModelEngine load(LocalModelConfig config) {
        try {
            return new ModelEngine(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the local embedding model", e);
        }
    }

    /** The settings of the underlying model instance. */
    public LocalModelConfig config() {
        return engine.config();
    }

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    public Set<String> modelAliases() {
        return Set.of(HUGGING_FACE_ID);
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public int maxTokens() {
        return MAX_TOKENS;
    }

    @Override
    public int countTokens(String text) {
        Objects.requireNonNull(text, "text");
        checkOpen();
        return engine.countTokens(text);
    }

    /**
     * The word pieces of {@code text} (special tokens left out) with their positions in the text,
     * for chunkers that cut on token boundaries. {@code tokenSpans(text).size() + 2 ==
     * countTokens(text)}.
     */
    public List<TokenSpan> tokenSpans(String text) {
        Objects.requireNonNull(text, "text");
        checkOpen();
        return engine.tokenSpans(text);
    }

    @Override
    public CompletableFuture<List<Embedding>> embedAsync(
            List<String> texts, TruncationPolicy policy) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(policy, "policy");
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                return CompletableFuture.failedFuture(
                        new IllegalArgumentException("input " + i + " is null"));
            }
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("this model handle is closed"));
        }
        return engine.submit(texts, policy);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this model handle is closed");
        }
    }

    /**
     * Closes this handle. For a private model this fails queued requests, waits for the running
     * batch and releases the ONNX session; for a shared reference it does so only when it is the
     * last one. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }
}
