package dev.embedflow.chunk;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.embedflow.embedding.local.LocalEmbeddingModel;
import dev.embedflow.embedding.local.MiniLmTokenCounter;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/** How documents over the model's token limit are split, as typed Flink options. */
public final class ChunkOptions {

    /** How tokens are counted. */
    public enum Tokenizer {
        /** all-MiniLM-L6-v2's own tokenizer when that is the model, else an estimate. */
        AUTO,
        /**
         * all-MiniLM-L6-v2's WordPiece tokenizer (exact for that model and close for BERT-likes).
         */
        MINILM,
        /** UTF-8 bytes divided by chunk.estimate-bytes-per-token. */
        ESTIMATE
    }

    public static final ConfigOption<Integer> MAX_TOKENS =
            key("chunk.max-tokens")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Most tokens per embedded text; longer documents are split on line"
                                    + " boundaries into chunks (ids <document id>#0, #1, ...). By"
                                    + " default 256 for all-MiniLM-L6-v2 (its limit) and 512 for"
                                    + " other models.");

    public static final ConfigOption<Tokenizer> TOKENIZER =
            key("chunk.tokenizer")
                    .enumType(Tokenizer.class)
                    .defaultValue(Tokenizer.AUTO)
                    .withDescription(
                            "How tokens are counted: AUTO, MINILM (all-MiniLM-L6-v2's tokenizer) or"
                                    + " ESTIMATE (bytes per token).");

    public static final ConfigOption<Double> ESTIMATE_BYTES_PER_TOKEN =
            key("chunk.estimate-bytes-per-token")
                    .doubleType()
                    .defaultValue(3.0)
                    .withDescription(
                            "With the ESTIMATE tokenizer: UTF-8 bytes per token. Lower is safer"
                                    + " (smaller chunks); English prose averages about 4.");

    private ChunkOptions() {}

    /** Every option of this class, for the configuration reference. */
    public static List<ConfigOption<?>> all() {
        return List.of(MAX_TOKENS, TOKENIZER, ESTIMATE_BYTES_PER_TOKEN);
    }

    /**
     * The chunker for {@code model} (the name the embedding provider reported).
     *
     * @throws IllegalArgumentException naming the key of a bad setting
     */
    public static LineChunker chunker(ReadableConfig config, String model) {
        return new LineChunker(tokenCounter(config, model), maxTokens(config, model));
    }

    /**
     * The batch job's prose chunker for {@code model}: paragraphs, then sentences, then words, with
     * {@code overlapTokens} of overlap between consecutive chunks.
     *
     * @throws IllegalArgumentException naming the key of a bad setting
     */
    public static TextChunker textChunker(ReadableConfig config, String model, int overlapTokens) {
        return new TextChunker(
                tokenCounter(config, model), maxTokens(config, model), overlapTokens);
    }

    /** Most tokens per chunk for {@code model}: {@link #MAX_TOKENS} or the model's default. */
    public static int maxTokens(ReadableConfig config, String model) {
        int maxTokens =
                config.getOptional(MAX_TOKENS)
                        .orElse(isMiniLm(model) ? LocalEmbeddingModel.MAX_TOKENS : 512);
        if (maxTokens < 16) {
            throw new IllegalArgumentException(
                    MAX_TOKENS.key() + " must be at least 16, was " + maxTokens);
        }
        return maxTokens;
    }

    /** How tokens are counted for {@code model}. */
    public static TokenCounter tokenCounter(ReadableConfig config, String model) {
        return switch (config.get(TOKENIZER)) {
            case MINILM -> new MiniLmTokenCounter();
            case ESTIMATE -> estimate(config);
            case AUTO -> isMiniLm(model) ? new MiniLmTokenCounter() : estimate(config);
        };
    }

    private static boolean isMiniLm(String model) {
        return model.toLowerCase(Locale.ROOT)
                .contains(LocalEmbeddingModel.MODEL_ID.toLowerCase(Locale.ROOT));
    }

    private static TokenCounter estimate(ReadableConfig config) {
        double bytesPerToken = config.get(ESTIMATE_BYTES_PER_TOKEN);
        if (!(bytesPerToken > 0)) {
            throw new IllegalArgumentException(
                    ESTIMATE_BYTES_PER_TOKEN.key() + " must be positive, was " + bytesPerToken);
        }
        return TokenCounter.estimate(bytesPerToken);
    }
}
