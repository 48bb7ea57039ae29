package dev.embedflow.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code local} embedding provider: sentence-transformers all-MiniLM-L6-v2 (fp32, or its int8
 * export: {@link LocalModel}) run in-process with ONNX Runtime, fully offline (model and tokenizer
 * come from the classpath). 384-dimensional, L2-normalised vectors from attention-masked mean
 * pooling; at most {@value #MAX_TOKENS} tokens per text, {@code [CLS]} and {@code [SEP]} included,
 * and a longer text is an error unless the caller asks for {@link TruncationPolicy#TRUNCATE}.
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
 * <p>One JVM should hold one instance of a model: {@link #acquireShared(LocalModel)} hands out
 * references to a lazily-loaded shared instance (for example one per Flink subtask in a
 * TaskManager); {@link #create(LocalModel, LocalModelConfig)} loads a private one. Either way
 * {@link #close()} must be called once per handle.
 *
 * <p>An empty or whitespace-only text is embedded as the model sees it: {@code [CLS] [SEP]} (2
 * tokens), as sentence-transformers does; callers that consider it meaningless must filter it.
 */
public final class LocalEmbeddingModel implements Embedder, AutoCloseable {

    /** The default model's id ({@link LocalModel#DEFAULT}). */
    public static final String MODEL_ID = LocalModel.DEFAULT.id();

    /** Vector dimensions (both models). */
    public static final int DIMENSIONS = ModelEngine.DIMENSIONS;

    /** Most tokens per text, [CLS] and [SEP] included (the model's max_seq_length). */
    public static final int MAX_TOKENS = ModelEngine.MAX_TOKENS;

    private static final Object SHARED_LOCK = new Object();
    // guarded by SHARED_LOCK: the JVM's shared engine of each model and its reference count
    private static final Map<LocalModel, ModelEngine> SHARED_ENGINES =
            new EnumMap<>(LocalModel.class);
    private static final Map<LocalModel, Integer> SHARED_REFERENCES =
            new EnumMap<>(LocalModel.class);

    private final ModelEngine engine;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalEmbeddingModel(ModelEngine engine, Runnable release) {
        this.engine = engine;
        this.release = release;
    }

    /** {@link #create(LocalModel, LocalModelConfig)} of the default model. */
    public static LocalEmbeddingModel create(LocalModelConfig config) {
        return create(LocalModel.DEFAULT, config);
    }

    /**
     * Loads a private instance of {@code model} with its own inference lane (a second or two, ~200
     * MB for fp32).
     *
     * @throws UncheckedIOException if the model or tokenizer cannot be loaded
     */
    public static LocalEmbeddingModel create(LocalModel model, LocalModelConfig config) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(config, "config");
        ModelEngine engine = load(model, config);
        return new LocalEmbeddingModel(engine, engine::close);
    }

    /** {@link #acquireShared(LocalModel)} of the default model. */
    public static LocalEmbeddingModel acquireShared() {
        return acquireShared(LocalModel.DEFAULT);
    }

    /**
     * A reference to the JVM's shared instance of {@code model} (loaded with {@link
     * LocalModelConfig#defaults()} on first use). It is released when its last reference is closed;
     * a later call loads it again.
     *
     * @throws UncheckedIOException if the model or tokenizer cannot be loaded
     */
    public static LocalEmbeddingModel acquireShared(LocalModel model) {
        Objects.requireNonNull(model, "model");
        synchronized (SHARED_LOCK) {
            ModelEngine engine =
                    SHARED_ENGINES.computeIfAbsent(
                            model, m -> load(m, LocalModelConfig.defaults()));
            SHARED_REFERENCES.merge(model, 1, Integer::sum);
            return new LocalEmbeddingModel(engine, () -> releaseShared(model));
        }
    }

    private static void releaseShared(LocalModel model) {
        ModelEngine toClose = null;
        synchronized (SHARED_LOCK) {
            if (SHARED_REFERENCES.merge(model, -1, Integer::sum) == 0) {
                SHARED_REFERENCES.remove(model);
                toClose = SHARED_ENGINES.remove(model);
            }
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    private static ModelEngine load(LocalModel model, LocalModelConfig config) {
        try {
            return new ModelEngine(model, config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the local embedding model " + model, e);
        }
    }

    /** Which model this is. */
    public LocalModel model() {
        return engine.model();
    }

    /** The settings of the underlying model instance. */
    public LocalModelConfig config() {
        return engine.config();
    }

    @Override
    public String modelId() {
        return engine.model().id();
    }

    @Override
    public Set<String> modelAliases() {
        return engine.model().aliases();
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
