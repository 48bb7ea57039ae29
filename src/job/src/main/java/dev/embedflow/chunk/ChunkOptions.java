package dev.embedflow.chunk;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How documents over the model's token limit are split, as typed Flink options. */
@PublicEvolving
public final class ChunkOptions {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkOptions.class);

    /** How tokens are counted. */
    public enum Tokenizer {
        /**
         * The model's own tokenizer when the job jar carries it (the flavour with the model carries
         * all-MiniLM-L6-v2's), else an estimate.
         */
        AUTO,
        /**
         * all-MiniLM-L6-v2's WordPiece tokenizer (exact for that model and close for BERT-likes);
         * needs the job jar with the model.
         */
        MINILM,
        /** UTF-8 bytes divided by chunk.estimate-bytes-per-token. */
        ESTIMATE
    }

    /** all-MiniLM-L6-v2, the in-process model's and the local system's. */
    public static final String MINILM_MODEL = "all-MiniLM-L6-v2";

    /** all-MiniLM-L6-v2's limit (its {@code max_seq_length}), whoever serves it. */
    public static final int MINILM_MAX_TOKENS = 256;

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
                            "How tokens are counted: AUTO (the model's own tokenizer when the job"
                                    + " jar has it, as the flavour with the model has"
                                    + " all-MiniLM-L6-v2's; else an estimate), MINILM"
                                    + " (all-MiniLM-L6-v2's tokenizer; needs that flavour) or"
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
                config.getOptional(MAX_TOKENS).orElse(isMiniLm(model) ? MINILM_MAX_TOKENS : 512);
        if (maxTokens < 16) {
            throw new IllegalArgumentException(
                    MAX_TOKENS.key() + " must be at least 16, was " + maxTokens);
        }
        return maxTokens;
    }

    /** How tokens are counted for {@code model}. */
    public static TokenCounter tokenCounter(ReadableConfig config, String model) {
        return switch (config.get(TOKENIZER)) {
            case MINILM ->
                    exact(MINILM_MODEL)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    TOKENIZER.key()
                                                            + "=MINILM needs all-MiniLM-L6-v2's tokenizer,"
                                                            + " which only the job jar with the model"
                                                            + " carries; use that jar, or "
                                                            + TOKENIZER.key()
                                                            + "=AUTO or ESTIMATE"));
            case ESTIMATE -> estimate(config);
            case AUTO -> exact(model).orElseGet(() -> estimated(config, model));
        };
    }

    /**
     * The exact counter for {@code model} that a {@link TokenCounterFactory} on the classpath has.
     */
    static Optional<TokenCounter> exact(String model) {
        for (TokenCounterFactory factory :
                ServiceLoader.load(
                        TokenCounterFactory.class, ChunkOptions.class.getClassLoader())) {
            Optional<TokenCounter> counter = factory.forModel(model);
            if (counter.isPresent()) {
                return counter;
            }
        }
        return Optional.empty();
    }

    private static TokenCounter estimated(ReadableConfig config, String model) {
        TokenCounter estimate = estimate(config);
        if (isMiniLm(model)) {
            LOG.warn(
                    "No tokenizer for {} in this job jar: chunks are sized by an estimate of {} bytes"
                            + " per token; the job jar with the model counts exactly",
                    model,
                    config.get(ESTIMATE_BYTES_PER_TOKEN));
        }
        return estimate;
    }

    private static boolean isMiniLm(String model) {
        return model.toLowerCase(Locale.ROOT).contains(MINILM_MODEL.toLowerCase(Locale.ROOT));
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
