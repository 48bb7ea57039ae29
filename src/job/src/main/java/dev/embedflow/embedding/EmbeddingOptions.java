package dev.embedflow.embedding;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every embedding setting as a typed Flink option ({@code -Dembedding.provider=openai}, {@code
 * config.yaml}). {@link EmbeddingConfig#fromConfiguration} reads and validates them.
 */
@PublicEvolving
public final class EmbeddingOptions {

    private EmbeddingOptions() {}

    public static final ConfigOption<String> PROVIDER =
            key("embedding.provider")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The embedding service: openai, tei, ollama or local.");

    public static final ConfigOption<String> BASE_URL =
            key("embedding.base-url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Base URL of the service, e.g. https://api.openai.com (the provider"
                                    + " appends /v1/embeddings, /embed or /api/embed). Not used by"
                                    + " local.");

    public static final ConfigOption<String> MODEL =
            key("embedding.model")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Model name sent to the service. Required for openai and ollama;"
                                    + " TEI serves one model; local runs all-MiniLM-L6-v2 (the"
                                    + " default) or all-MiniLM-L6-v2-int8 (its int8 export, about"
                                    + " 2.3x faster on a CPU; its own index, never mixed with"
                                    + " fp32 vectors).");

    public static final ConfigOption<Integer> DIMENSIONS =
            key("embedding.dimensions")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Expected vector dimension. Sent as 'dimensions' to openai (models"
                                    + " that can shorten vectors); every response is checked"
                                    + " against it. Unset: learnt from the first response.");

    public static final ConfigOption<String> API_KEY_ENV =
            key("embedding.api-key.env")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Name of the environment variable holding the API key (openai)."
                                    + " The key itself is never configured.");

    public static final ConfigOption<String> API_KEY_FILE =
            key("embedding.api-key.file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Path of a file holding the API key (openai), e.g. a mounted"
                                    + " Kubernetes secret.");

    public static final ConfigOption<Boolean> TRUNCATE =
            key("embedding.truncate")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Let the service cut texts over the model's token limit (tei, ollama,"
                                    + " local). Off: such a text is rejected and dead-lettered.");

    public static final ConfigOption<Integer> BATCH_MAX_TEXTS =
            key("embedding.batch.max-texts")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Most texts per request. Default per provider: openai 2048, tei 32"
                                    + " (TEI's max-client-batch-size), ollama 64, local 64.");

    public static final ConfigOption<Integer> BATCH_MAX_TOKENS =
            key("embedding.batch.max-tokens")
                    .intType()
                    .defaultValue(EmbeddingConfig.DEFAULT_MAX_BATCH_TOKENS)
                    .withDescription(
                            "Budget of estimated tokens (UTF-8 bytes / 4) per request; a batch is"
                                    + " sent before it would exceed it.");

    public static final ConfigOption<Duration> BATCH_LINGER =
            key("embedding.batch.linger")
                    .durationType()
                    .defaultValue(EmbeddingConfig.DEFAULT_LINGER)
                    .withDescription("How long a text may wait for others to fill its batch.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT =
            key("embedding.max-in-flight")
                    .intType()
                    .defaultValue(EmbeddingConfig.DEFAULT_MAX_IN_FLIGHT)
                    .withDescription(
                            "Most requests in flight per subtask; the adaptive limit halves on 429"
                                    + " and grows back to this.");

    public static final ConfigOption<Integer> ASYNC_CAPACITY =
            key("embedding.async.capacity")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Most records per subtask waiting for their embedding (Flink's async"
                                    + " operator capacity). Unset: what can really be in flight,"
                                    + " embedding.max-in-flight requests of as many texts as the"
                                    + " batch size and token budget allow for texts at the chunk"
                                    + " limit, plus one batch forming; with a rate cap, no more"
                                    + " than it lets through in a quarter of the retry budget, so"
                                    + " that records do not time out while still queued.");

    public static final ConfigOption<Duration> CONNECT_TIMEOUT =
            key("embedding.timeout.connect")
                    .durationType()
                    .defaultValue(EmbeddingConfig.DEFAULT_CONNECT_TIMEOUT)
                    .withDescription("Timeout to open a connection.");

    public static final ConfigOption<Duration> REQUEST_TIMEOUT =
            key("embedding.timeout.request")
                    .durationType()
                    .defaultValue(EmbeddingConfig.DEFAULT_REQUEST_TIMEOUT)
                    .withDescription("Timeout of one request, response included.");

    public static final ConfigOption<Integer> RETRY_MAX_ATTEMPTS =
            key("embedding.retry.max-attempts")
                    .intType()
                    .defaultValue(EmbeddingConfig.DEFAULT_MAX_ATTEMPTS)
                    .withDescription(
                            "Most attempts per text for retryable failures (429, 5xx, timeouts,"
                                    + " connection errors), the first included.");

    public static final ConfigOption<Duration> RETRY_MAX_DURATION =
            key("embedding.retry.max-duration")
                    .durationType()
                    .defaultValue(EmbeddingConfig.DEFAULT_MAX_RETRY_DURATION)
                    .withDescription("Most time from a text's first attempt to its last retry.");

    public static final ConfigOption<Duration> BACKOFF_INITIAL =
            key("embedding.retry.backoff.initial")
                    .durationType()
                    .defaultValue(EmbeddingConfig.DEFAULT_BACKOFF_INITIAL)
                    .withDescription("Wait before the first retry.");

    public static final ConfigOption<Duration> BACKOFF_MAX =
            key("embedding.retry.backoff.max")
                    .durationType()
                    .defaultValue(EmbeddingConfig.DEFAULT_BACKOFF_MAX)
                    .withDescription("Longest wait between retries (Retry-After may ask more).");

    public static final ConfigOption<Double> BACKOFF_MULTIPLIER =
            key("embedding.retry.backoff.multiplier")
                    .doubleType()
                    .defaultValue(EmbeddingConfig.DEFAULT_BACKOFF_MULTIPLIER)
                    .withDescription("Factor between successive waits, >= 1.");

    public static final ConfigOption<Double> BACKOFF_JITTER =
            key("embedding.retry.backoff.jitter")
                    .doubleType()
                    .defaultValue(EmbeddingConfig.DEFAULT_BACKOFF_JITTER)
                    .withDescription(
                            "Random spread of each wait, 0..1: 0.2 waits between 80% and 120%.");

    public static final ConfigOption<Double> RATE_REQUESTS_PER_SECOND =
            key("embedding.rate.requests-per-second")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "Cap on requests per second for the whole job; each subtask takes"
                                    + " its share (divided by the parallelism) and paces its"
                                    + " requests evenly. Unset: no cap.");

    public static final ConfigOption<Long> RATE_TOKENS_PER_MINUTE =
            key("embedding.rate.tokens-per-minute")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "Cap on estimated tokens per minute for the whole job; each subtask"
                                    + " takes its share, with bursts of at most one second's"
                                    + " worth, and a request holds at most that second's share"
                                    + " (so that subtasks together never overdraw the service's"
                                    + " quota). Unset: no cap.");

    public static final ConfigOption<RetriesExhausted> ON_RETRIES_EXHAUSTED =
            key("embedding.on-retries-exhausted")
                    .enumType(RetriesExhausted.class)
                    .defaultValue(RetriesExhausted.DEAD_LETTER)
                    .withDescription(
                            "What happens to a text whose retry budget is spent: DEAD_LETTER (the"
                                    + " job goes on) or FAIL (the job fails).");
}
