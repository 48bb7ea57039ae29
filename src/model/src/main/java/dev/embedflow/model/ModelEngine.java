package dev.embedflow.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.embedflow.chunk.ChunkOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * all-MiniLM-L6-v2 (either {@link LocalModel}) in ONNX Runtime behind one inference lane: callers
 * tokenize on their own thread, requests wait in a bounded queue, and a single worker thread runs
 * them with all intra-op threads, so concurrent callers never oversubscribe the CPU.
 */
final class ModelEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelEngine.class);

    static final int DIMENSIONS = 384;

    /** sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included. */
    static final int MAX_TOKENS = ChunkOptions.MINILM_MAX_TOKENS;

    private static final String OUTPUT = "last_hidden_state";
    private static final long SEP_ID = 102;

    /** The worker merges queued requests into one group of up to this many batches. */
    private static final int COALESCE_BATCHES = 4;

    private final LocalModel model;
    private final LocalModelConfig config;
    private final MiniLmTokenizer tokenizer;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean feedsTokenTypeIds;
    private final Thread worker;

    private final Object lock = new Object();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private int textsInFlight; // guarded by lock: queued or running
    private boolean closed; // guarded by lock

    ModelEngine(LocalModel model, LocalModelConfig config) throws IOException {
        this.model = model;
        this.config = config;
        long start = System.nanoTime();
        this.tokenizer = MiniLmTokenizer.load(LocalModel.TOKENIZER_RESOURCE);
        try {
            this.environment = OrtEnvironment.getEnvironment();
            this.session = createSession(environment, model, config);
            Set<String> inputs = session.getInputNames();
            if (!inputs.containsAll(Set.of("input_ids", "attention_mask"))
                    || !session.getOutputNames().contains(OUTPUT)) {
                throw new IOException(
                        "unexpected model signature: inputs "
                                + inputs
                                + ", outputs "
                                + session.getOutputNames());
            }
            this.feedsTokenTypeIds = inputs.contains("token_type_ids");
        } catch (OrtException | IOException | RuntimeException e) {
            tokenizer.close();
            throw e instanceof IOException io ? io : new IOException("cannot load the model", e);
        }
        this.worker = new Thread(this::workLoop, "embedflow-local-model");
        worker.setDaemon(true);
        worker.start();
        LOG.info(
                "Loaded {} ({}) in {} ms ({} intra-op threads, batches of {}, queue of {} texts)",
                model.id(),
                model.precision(),
                (System.nanoTime() - start) / 1_000_000,
                config.intraOpThreads(),
                config.maxBatchSize(),
                config.maxQueuedTexts());
    }

    private static OrtSession createSession(
            OrtEnvironment env, LocalModel variant, LocalModelConfig config)
            throws IOException, OrtException {
        byte[] model;
        try (InputStream in =
                ModelEngine.class.getClassLoader().getResourceAsStream(variant.resource())) {
            if (in == null) {
                throw new IOException(
                        "model resource not found on the classpath: " + variant.resource());
            }
            model = in.readAllBytes();
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(config.intraOpThreads());
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return env.createSession(model, options);
        }
    }

    LocalModel model() {
        return model;
    }

    LocalModelConfig config() {
        return config;
    }

    int countTokens(String text) {
        return tokenizer.ids(text).length;
    }

    List<TokenSpan> tokenSpans(String text) {
        return tokenizer.spans(text);
    }

    CompletableFuture<List<Embedding>> submit(List<String> texts, TruncationPolicy policy) {
        if (texts.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (texts.size() > config.maxQueuedTexts()) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException(
                            "a request of "
                                    + texts.size()
                                    + " texts can never fit the queue of "
                                    + config.maxQueuedTexts()
                                    + " texts; split it"));
        }
        if (isClosed()) {
            return CompletableFuture.failedFuture(closedException());
        }
        long[][] ids = new long[texts.size()][];
        int[] originalCounts = new int[texts.size()];
        for (int i = 0; i < ids.length; i++) {
            long[] full = tokenizer.ids(texts.get(i));
            originalCounts[i] = full.length;
            if (full.length > MAX_TOKENS) {
                if (policy == TruncationPolicy.REJECT) {
                    return CompletableFuture.failedFuture(
                            new TokenLimitExceededException(i, full.length, MAX_TOKENS));
                }
                full = Arrays.copyOf(full, MAX_TOKENS);
                full[MAX_TOKENS - 1] = SEP_ID;
            }
            ids[i] = full;
        }
        Request request = new Request(ids, originalCounts);
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(closedException());
            }
            if (textsInFlight + ids.length > config.maxQueuedTexts()) {
                return CompletableFuture.failedFuture(
                        new EmbedderBusyException(
                                "the local model's queue is full ("
                                        + textsInFlight
                                        + " of "
                                        + config.maxQueuedTexts()
                                        + " texts waiting or running); retry later"));
            }
            textsInFlight += ids.length;
            queue.addLast(request);
            lock.notifyAll();
        }
        return request.future;
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private static IllegalStateException closedException() {
        return new IllegalStateException("the local embedding model is closed");
    }

    private void workLoop() {
        while (true) {
            List<Request> group = new ArrayList<>();
            int texts = 0;
            synchronized (lock) {
                while (queue.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // Only close() ends the lane; interrupts are not part of the protocol.
                    }
                }
                if (closed) {
                    return;
                }
                int limit =
                        Math.max(
                                config.maxBatchSize() * COALESCE_BATCHES, queue.peekFirst().size());
                while (!queue.isEmpty() && texts + queue.peekFirst().size() <= limit) {
                    Request next = queue.pollFirst();
                    group.add(next);
                    texts += next.size();
                }
            }
            Throwable failure = null;
            try {
                run(group);
            } catch (Throwable t) {
                LOG.error("Embedding inference failed for {} texts", texts, t);
                failure = t;
            }
            // Free the queue space before completing: a caller that reacts to completion by
            // submitting again must find room.
            synchronized (lock) {
                textsInFlight -= texts;
            }
            for (Request request : group) {
                if (failure == null) {
                    request.future.complete(List.of(request.results));
                } else {
                    request.future.completeExceptionally(failure);
                }
            }
        }
    }

    /** Sorts the group's texts by length, runs them in batches and fills each request's results. */
    private void run(List<Request> group) throws OrtException {
        List<Item> items = new ArrayList<>();
        for (Request request : group) {
            for (int i = 0; i < request.size(); i++) {
                items.add(new Item(request, i));
            }
        }
        items.sort(Comparator.comparingInt(Item::length));
        for (int from = 0; from < items.size(); from += config.maxBatchSize()) {
            List<Item> batch =
                    items.subList(from, Math.min(items.size(), from + config.maxBatchSize()));
            float[][] vectors = infer(batch);
            for (int b = 0; b < batch.size(); b++) {
                Item item = batch.get(b);
                item.request.results[item.index] =
                        new Embedding(
                                vectors[b],
                                item.length(),
                                item.length() < item.request.originalCounts[item.index],
                                item.request.originalCounts[item.index]);
            }
        }
    }

    /** One ONNX run: right-padded batch, masked mean pooling, L2 normalisation. */
    private float[][] infer(List<Item> batch) throws OrtException {
        int rows = batch.size();
        int seq = 0;
        for (Item item : batch) {
            seq = Math.max(seq, item.length());
        }
        long[] inputIds = new long[rows * seq];
        long[] mask = new long[rows * seq];
        for (int r = 0; r < rows; r++) {
            long[] ids = batch.get(r).ids();
            System.arraycopy(ids, 0, inputIds, r * seq, ids.length);
            Arrays.fill(mask, r * seq, r * seq + ids.length, 1L);
        }
        long[] shape = {rows, seq};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(
                    "input_ids",
                    OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape));
            inputs.put(
                    "attention_mask",
                    OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (feedsTokenTypeIds) {
                inputs.put(
                        "token_type_ids",
                        OnnxTensor.createTensor(
                                environment, LongBuffer.wrap(new long[rows * seq]), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(OUTPUT))) {
                OnnxTensor hidden = (OnnxTensor) result.get(OUTPUT).orElseThrow();
                return pool(hidden.getFloatBuffer(), batch, seq);
            }
        } finally {
            for (OnnxTensor tensor : inputs.values()) {
                tensor.close();
            }
        }
    }

    private static float[][] pool(FloatBuffer hidden, List<Item> batch, int seq) {
        float[][] vectors = new float[batch.size()][];
        for (int r = 0; r < batch.size(); r++) {
            int length = batch.get(r).length();
            float[] sum = new float[DIMENSIONS];
            int rowBase = r * seq * DIMENSIONS;
            for (int t = 0; t < length; t++) {
                int base = rowBase + t * DIMENSIONS;
                for (int d = 0; d < DIMENSIONS; d++) {
                    sum[d] += hidden.get(base + d);
                }
            }
            double norm = 0;
            for (int d = 0; d < DIMENSIONS; d++) {
                sum[d] /= length;
                norm += (double) sum[d] * sum[d];
            }
            float scale = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
            for (int d = 0; d < DIMENSIONS; d++) {
                sum[d] *= scale;
            }
            vectors[r] = sum;
        }
        return vectors;
    }

    /** Fails what is still queued, waits for the running batch, then releases the session. */
    @Override
    public void close() {
        List<Request> abandoned;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            abandoned = new ArrayList<>(queue);
            queue.clear();
            lock.notifyAll();
        }
        for (Request request : abandoned) {
            request.future.completeExceptionally(closedException());
        }
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("Closing the ONNX session failed", e);
        } finally {
            tokenizer.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Request {
        final long[][] ids;
        final int[] originalCounts;
        final Embedding[] results;
        final CompletableFuture<List<Embedding>> future = new CompletableFuture<>();

        Request(long[][] ids, int[] originalCounts) {
            this.ids = ids;
            this.originalCounts = originalCounts;
            this.results = new Embedding[ids.length];
        }

        int size() {
            return ids.length;
        }
    }

    private record Item(Request request, int index) {
        long[] ids() {
            return request.ids[index];
        }

        int length() {
            return request.ids[index].length;
        }
    }
}
