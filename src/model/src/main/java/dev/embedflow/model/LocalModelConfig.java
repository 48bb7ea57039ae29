package dev.embedflow.model;

/**
 * Settings of a {@link LocalEmbeddingModel}.
 *
 * @param intraOpThreads threads ONNX Runtime uses inside one inference (the single inference lane
 *     uses them all); default: the number of available processors
 * @param maxBatchSize most texts in one ONNX run; texts are sorted by length first so that a batch
 *     holds texts of similar length
 * @param maxQueuedTexts most texts accepted but not yet embedded (queued or running); beyond it
 *     {@link Embedder#embedAsync} fails with {@link EmbedderBusyException}
 */
public record LocalModelConfig(int intraOpThreads, int maxBatchSize, int maxQueuedTexts) {

    public static final int DEFAULT_MAX_BATCH_SIZE = 32;
    public static final int DEFAULT_MAX_QUEUED_TEXTS = 8192;

    public LocalModelConfig {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "intraOpThreads must be >= 1, got " + intraOpThreads);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
        }
        if (maxQueuedTexts < 1) {
            throw new IllegalArgumentException(
                    "maxQueuedTexts must be >= 1, got " + maxQueuedTexts);
        }
    }

    /** All processors, batches of 32, up to 8192 queued texts. */
    public static LocalModelConfig defaults() {
        return new LocalModelConfig(
                Runtime.getRuntime().availableProcessors(),
                DEFAULT_MAX_BATCH_SIZE,
                DEFAULT_MAX_QUEUED_TEXTS);
    }

    public LocalModelConfig withIntraOpThreads(int threads) {
        return new LocalModelConfig(threads, maxBatchSize, maxQueuedTexts);
    }

    public LocalModelConfig withMaxBatchSize(int size) {
        return new LocalModelConfig(intraOpThreads, size, maxQueuedTexts);
    }

    public LocalModelConfig withMaxQueuedTexts(int texts) {
        return new LocalModelConfig(intraOpThreads, maxBatchSize, texts);
    }
}
