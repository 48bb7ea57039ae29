package dev.embedflow.embedding;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Immutable, validated settings of the embedding layer. Build with {@link #builder(ProviderKind)}
 * or read from Flink options with {@link #fromConfiguration(ReadableConfig)}; every validation
 * message names the option key. The API key is never part of it: only the name of the environment
 * variable or the path of the file that holds it.
 */
@PublicEvolving
public final class EmbeddingConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    static final int DEFAULT_MAX_BATCH_TOKENS = 16_384;
    static final Duration DEFAULT_LINGER = Duration.ofMillis(20);
    static final int DEFAULT_MAX_IN_FLIGHT = 4;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final int DEFAULT_MAX_ATTEMPTS = 8;
    static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofMinutes(2);
    static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(200);
    static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(30);
    static final double DEFAULT_BACKOFF_MULTIPLIER = 2.0;
    static final double DEFAULT_BACKOFF_JITTER = 0.2;

    private final ProviderKind provider;
    private final URI baseUrl;
    private final String model;
    private final Integer dimensions;
    private final String apiKeyEnv;
    private final String apiKeyFile;
    private final boolean truncate;
    private final int maxBatchSize;
    private final int maxBatchTokens;
    private final Duration linger;
    private final int maxInFlight;
    private final Integer asyncCapacity;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration maxRetryDuration;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final double backoffMultiplier;
    private final double backoffJitter;
    private final Double maxRequestsPerSecond;
    private final Long maxTokensPerMinute;
    private final RetriesExhausted onRetriesExhausted;

    private EmbeddingConfig(Builder b) {
        this.provider = b.provider;
        this.baseUrl = b.baseUrl;
        this.model = b.model;
        this.dimensions = b.dimensions;
        this.apiKeyEnv = b.apiKeyEnv;
        this.apiKeyFile = b.apiKeyFile;
        this.truncate = b.truncate;
        this.maxBatchSize =
                b.maxBatchSize == null ? provider.defaultMaxBatchSize() : b.maxBatchSize;
        this.maxBatchTokens = b.maxBatchTokens;
        this.linger = b.linger;
        this.maxInFlight = b.maxInFlight;
        this.asyncCapacity = b.asyncCapacity;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.maxAttempts = b.maxAttempts;
        this.maxRetryDuration = b.maxRetryDuration;
        this.backoffInitial = b.backoffInitial;
        this.backoffMax = b.backoffMax;
        this.backoffMultiplier = b.backoffMultiplier;
        this.backoffJitter = b.backoffJitter;
        this.maxRequestsPerSecond = b.maxRequestsPerSecond;
        this.maxTokensPerMinute = b.maxTokensPerMinute;
        this.onRetriesExhausted = b.onRetriesExhausted;
    }

    /** A builder for {@code provider} with every other setting at its default. */
    public static Builder builder(ProviderKind provider) {
        return new Builder(provider);
    }

    /**
     * Reads the {@link EmbeddingOptions} from {@code config} and validates them.
     *
     * @throws IllegalConfigurationException naming the option key that is missing or invalid
     */
    public static EmbeddingConfig fromConfiguration(ReadableConfig config) {
        String providerId =
                config.getOptional(EmbeddingOptions.PROVIDER)
                        .orElseThrow(
                                () ->
                                        new IllegalConfigurationException(
                                                EmbeddingOptions.PROVIDER.key()
                                                        + " is required: openai, tei, ollama or"
                                                        + " local"));
        Builder b;
        try {
            b = builder(ProviderKind.fromId(providerId));
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(
                    EmbeddingOptions.PROVIDER.key() + ": " + e.getMessage(), e);
        }
        read(config, EmbeddingOptions.BASE_URL, v -> b.baseUrl(URI.create(v)));
        read(config, EmbeddingOptions.MODEL, b::model);
        read(config, EmbeddingOptions.DIMENSIONS, b::dimensions);
        read(config, EmbeddingOptions.API_KEY_ENV, b::apiKeyFromEnv);
        read(config, EmbeddingOptions.API_KEY_FILE, v -> b.apiKeyFromFile(Path.of(v)));
        read(config, EmbeddingOptions.TRUNCATE, b::truncate);
        read(config, EmbeddingOptions.BATCH_MAX_TEXTS, b::maxBatchSize);
        read(config, EmbeddingOptions.BATCH_MAX_TOKENS, b::maxBatchTokens);
        read(config, EmbeddingOptions.BATCH_LINGER, b::linger);
        read(config, EmbeddingOptions.MAX_IN_FLIGHT, b::maxInFlight);
        read(config, EmbeddingOptions.ASYNC_CAPACITY, b::asyncCapacity);
        read(config, EmbeddingOptions.CONNECT_TIMEOUT, b::connectTimeout);
        read(config, EmbeddingOptions.REQUEST_TIMEOUT, b::requestTimeout);
        read(config, EmbeddingOptions.RETRY_MAX_ATTEMPTS, b::maxAttempts);
        read(config, EmbeddingOptions.RETRY_MAX_DURATION, b::maxRetryDuration);
        read(config, EmbeddingOptions.BACKOFF_INITIAL, b::backoffInitial);
        read(config, EmbeddingOptions.BACKOFF_MAX, b::backoffMax);
        read(config, EmbeddingOptions.BACKOFF_MULTIPLIER, b::backoffMultiplier);
        read(config, EmbeddingOptions.BACKOFF_JITTER, b::backoffJitter);
        read(config, EmbeddingOptions.RATE_REQUESTS_PER_SECOND, b::maxRequestsPerSecond);
        read(config, EmbeddingOptions.RATE_TOKENS_PER_MINUTE, b::maxTokensPerMinute);
        read(config, EmbeddingOptions.ON_RETRIES_EXHAUSTED, b::onRetriesExhausted);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(e.getMessage(), e);
        }
    }

    private static <T> void read(ReadableConfig config, ConfigOption<T> option, Consumer<T> set) {
        Optional<T> value;
        try {
            value = config.getOptional(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(
                    "invalid value for " + option.key() + ": " + e.getMessage(), e);
        }
        if (value.isEmpty()) {
            return;
        }
        try {
            set.accept(value.get());
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalConfigurationException(
                    message.startsWith(option.key()) ? message : option.key() + ": " + message, e);
        }
    }

    public ProviderKind provider() {
        return provider;
    }

    /** The service's base URL; empty for {@link ProviderKind#LOCAL}. */
    public Optional<URI> baseUrl() {
        return Optional.ofNullable(baseUrl);
    }

    /** The configured model name, if any. */
    public Optional<String> model() {
        return Optional.ofNullable(model);
    }

    /** The expected vector dimension, if configured. */
    public Optional<Integer> dimensions() {
        return Optional.ofNullable(dimensions);
    }

    /** Name of the environment variable holding the API key, if any. */
    public Optional<String> apiKeyEnv() {
        return Optional.ofNullable(apiKeyEnv);
    }

    /** Path of the file holding the API key, if any. */
    public Optional<Path> apiKeyFile() {
        return Optional.ofNullable(apiKeyFile).map(Path::of);
    }

    public boolean truncate() {
        return truncate;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    public Duration linger() {
        return linger;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration maxRetryDuration() {
        return maxRetryDuration;
    }

    public Duration backoffInitial() {
        return backoffInitial;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    public double backoffMultiplier() {
        return backoffMultiplier;
    }

    public double backoffJitter() {
        return backoffJitter;
    }

    /** Job-wide cap on requests per second, if any. */
    public Optional<Double> maxRequestsPerSecond() {
        return Optional.ofNullable(maxRequestsPerSecond);
    }

    /** Job-wide cap on estimated tokens per minute, if any. */
    public Optional<Long> maxTokensPerMinute() {
        return Optional.ofNullable(maxTokensPerMinute);
    }

    public RetriesExhausted onRetriesExhausted() {
        return onRetriesExhausted;
    }

    /**
     * The timeout to give Flink's async operator: long enough for a text's whole retry budget, so
     * that the operator's own timeout only fires when something is truly stuck.
     */
    public Duration asyncTimeout() {
        return maxRetryDuration
                .plus(requestTimeout.multipliedBy(2))
                .plus(backoffMax)
                .plus(linger)
                .plus(Duration.ofSeconds(10));
    }

    /**
     * Texts one request carries when each has about {@code tokensPerText} estimated tokens: as many
     * as the batch size and the token budget allow, at least one.
     */
    public int textsPerRequest(int tokensPerText) {
        long byTokens = maxBatchTokens / Math.max(1, tokensPerText);
        return (int) Math.max(1, Math.min(maxBatchSize, byTokens));
    }

    /**
     * The capacity to give Flink's async operator ({@link EmbeddingOptions#ASYNC_CAPACITY} if set):
     * what can really be in flight, {@link #maxInFlight()} requests of {@link #textsPerRequest}
     * texts, plus one batch forming; with a rate cap, no more than the subtask's share of it lets
     * through in a quarter of the retry budget, so that records do not wait in the queue until they
     * time out. At least one batch.
     *
     * @param tokensPerText the estimated tokens of a typical text (the chunk limit)
     * @param parallelism the operator's parallelism, which divides the rate caps
     */
    public int asyncCapacity(int tokensPerText, int parallelism) {
        if (asyncCapacity != null) {
            return asyncCapacity;
        }
        int perRequest = textsPerRequest(tokensPerText);
        double capacity = (double) perRequest * (maxInFlight + 1);
        double drainPerSecond = Double.POSITIVE_INFINITY;
        int subtasks = Math.max(1, parallelism);
        if (maxRequestsPerSecond != null) {
            drainPerSecond = Math.min(drainPerSecond, maxRequestsPerSecond / subtasks * perRequest);
        }
        if (maxTokensPerMinute != null) {
            drainPerSecond =
                    Math.min(
                            drainPerSecond,
                            maxTokensPerMinute / 60.0 / subtasks / Math.max(1, tokensPerText));
        }
        double queueSeconds = maxRetryDuration.toMillis() / 1000.0 / 4;
        capacity = Math.min(capacity, drainPerSecond * queueSeconds);
        return (int) Math.max(perRequest, Math.min(Integer.MAX_VALUE, Math.floor(capacity)));
    }

    @Override
    public String toString() {
        return "EmbeddingConfig{provider="
                + provider
                + ", baseUrl="
                + baseUrl
                + ", model="
                + model
                + ", dimensions="
                + dimensions
                + ", apiKey="
                + (apiKeyEnv != null
                        ? "env:" + apiKeyEnv
                        : apiKeyFile != null ? "file:" + apiKeyFile : "none")
                + ", truncate="
                + truncate
                + ", maxBatchSize="
                + maxBatchSize
                + ", maxBatchTokens="
                + maxBatchTokens
                + ", linger="
                + linger
                + ", maxInFlight="
                + maxInFlight
                + ", asyncCapacity="
                + asyncCapacity
                + ", connectTimeout="
                + connectTimeout
                + ", requestTimeout="
                + requestTimeout
                + ", maxAttempts="
                + maxAttempts
                + ", maxRetryDuration="
                + maxRetryDuration
                + ", backoff="
                + backoffInitial
                + ".."
                + backoffMax
                + " x"
                + backoffMultiplier
                + " ±"
                + backoffJitter
                + ", maxRequestsPerSecond="
                + maxRequestsPerSecond
                + ", maxTokensPerMinute="
                + maxTokensPerMinute
                + ", onRetriesExhausted="
                + onRetriesExhausted
                + "}";
    }

    /** Settings of an {@link EmbeddingConfig}; {@link #build()} checks them together. */
    public static final class Builder {
        private final ProviderKind provider;
        private URI baseUrl;
        private String model;
        private Integer dimensions;
        private String apiKeyEnv;
        private String apiKeyFile;
        private boolean truncate;
        private Integer maxBatchSize;
        private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;
        private Duration linger = DEFAULT_LINGER;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private Integer asyncCapacity;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration maxRetryDuration = DEFAULT_MAX_RETRY_DURATION;
        private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private double backoffMultiplier = DEFAULT_BACKOFF_MULTIPLIER;
        private double backoffJitter = DEFAULT_BACKOFF_JITTER;
        private Double maxRequestsPerSecond;
        private Long maxTokensPerMinute;
        private RetriesExhausted onRetriesExhausted = RetriesExhausted.DEAD_LETTER;

        private Builder(ProviderKind provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        /** The service's base URL, http or https ({@code embedding.base-url}). */
        public Builder baseUrl(URI baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || baseUrl.getHost() == null) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.BASE_URL.key()
                                + " must be an http(s) URL with a host, got "
                                + baseUrl);
            }
            if (baseUrl.getUserInfo() != null || baseUrl.getQuery() != null) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.BASE_URL.key()
                                + " must not carry credentials or a query; configure the API key"
                                + " with "
                                + EmbeddingOptions.API_KEY_ENV.key()
                                + " or "
                                + EmbeddingOptions.API_KEY_FILE.key());
            }
            String s = baseUrl.toString();
            this.baseUrl = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            return this;
        }

        /** The model name ({@code embedding.model}). */
        public Builder model(String model) {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.MODEL.key() + " must not be blank");
            }
            this.model = model;
            return this;
        }

        /** The expected dimension ({@code embedding.dimensions}). */
        public Builder dimensions(int dimensions) {
            this.dimensions = atLeast(EmbeddingOptions.DIMENSIONS, dimensions, 1);
            return this;
        }

        /** Reads the API key from this environment variable ({@code embedding.api-key.env}). */
        public Builder apiKeyFromEnv(String variable) {
            if (variable == null || variable.isBlank()) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.API_KEY_ENV.key() + " must not be blank");
            }
            this.apiKeyEnv = variable;
            return this;
        }

        /** Reads the API key from this file ({@code embedding.api-key.file}). */
        public Builder apiKeyFromFile(Path file) {
            this.apiKeyFile = Objects.requireNonNull(file, "file").toString();
            return this;
        }

        /** Whether the service may cut long texts ({@code embedding.truncate}). */
        public Builder truncate(boolean truncate) {
            this.truncate = truncate;
            return this;
        }

        /** Most texts per request ({@code embedding.batch.max-texts}). */
        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = atLeast(EmbeddingOptions.BATCH_MAX_TEXTS, maxBatchSize, 1);
            return this;
        }

        /** Budget of estimated tokens per request ({@code embedding.batch.max-tokens}). */
        public Builder maxBatchTokens(int maxBatchTokens) {
            this.maxBatchTokens = atLeast(EmbeddingOptions.BATCH_MAX_TOKENS, maxBatchTokens, 1);
            return this;
        }

        /** Longest wait for a batch to fill ({@code embedding.batch.linger}); zero: no wait. */
        public Builder linger(Duration linger) {
            this.linger = notNegative(EmbeddingOptions.BATCH_LINGER, linger);
            return this;
        }

        /** Most requests in flight per subtask ({@code embedding.max-in-flight}). */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = atLeast(EmbeddingOptions.MAX_IN_FLIGHT, maxInFlight, 1);
            return this;
        }

        /** Flink's async operator capacity ({@code embedding.async.capacity}). */
        public Builder asyncCapacity(int capacity) {
            this.asyncCapacity = atLeast(EmbeddingOptions.ASYNC_CAPACITY, capacity, 1);
            return this;
        }

        /** Connect timeout ({@code embedding.timeout.connect}). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(EmbeddingOptions.CONNECT_TIMEOUT, timeout);
            return this;
        }

        /** Request timeout ({@code embedding.timeout.request}). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(EmbeddingOptions.REQUEST_TIMEOUT, timeout);
            return this;
        }

        /** Most attempts per text ({@code embedding.retry.max-attempts}); 1: no retry. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = atLeast(EmbeddingOptions.RETRY_MAX_ATTEMPTS, maxAttempts, 1);
            return this;
        }

        /** Most time spent retrying a text ({@code embedding.retry.max-duration}). */
        public Builder maxRetryDuration(Duration duration) {
            this.maxRetryDuration = notNegative(EmbeddingOptions.RETRY_MAX_DURATION, duration);
            return this;
        }

        /** First wait ({@code embedding.retry.backoff.initial}). */
        public Builder backoffInitial(Duration initial) {
            this.backoffInitial = positive(EmbeddingOptions.BACKOFF_INITIAL, initial);
            return this;
        }

        /** Longest wait ({@code embedding.retry.backoff.max}). */
        public Builder backoffMax(Duration max) {
            this.backoffMax = positive(EmbeddingOptions.BACKOFF_MAX, max);
            return this;
        }

        /** Growth factor, >= 1 ({@code embedding.retry.backoff.multiplier}). */
        public Builder backoffMultiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.BACKOFF_MULTIPLIER.key()
                                + " must be a finite number >= 1, got "
                                + multiplier);
            }
            this.backoffMultiplier = multiplier;
            return this;
        }

        /** Spread, 0..1 ({@code embedding.retry.backoff.jitter}). */
        public Builder backoffJitter(double jitter) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.BACKOFF_JITTER.key() + " must be in 0..1, got " + jitter);
            }
            this.backoffJitter = jitter;
            return this;
        }

        /** Job-wide requests per second ({@code embedding.rate.requests-per-second}). */
        public Builder maxRequestsPerSecond(double rate) {
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.RATE_REQUESTS_PER_SECOND.key()
                                + " must be a finite number > 0, got "
                                + rate);
            }
            this.maxRequestsPerSecond = rate;
            return this;
        }

        /** Job-wide estimated tokens per minute ({@code embedding.rate.tokens-per-minute}). */
        public Builder maxTokensPerMinute(long rate) {
            if (rate < 1) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.RATE_TOKENS_PER_MINUTE.key()
                                + " must be >= 1, got "
                                + rate);
            }
            this.maxTokensPerMinute = rate;
            return this;
        }

        /** What to do when a text's retries are spent ({@code embedding.on-retries-exhausted}). */
        public Builder onRetriesExhausted(RetriesExhausted onRetriesExhausted) {
            this.onRetriesExhausted =
                    Objects.requireNonNull(onRetriesExhausted, "onRetriesExhausted");
            return this;
        }

        /**
         * Checks the settings together.
         *
         * @throws IllegalArgumentException naming the option key at fault
         */
        public EmbeddingConfig build() {
            if (provider != ProviderKind.LOCAL && baseUrl == null) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.BASE_URL.key() + " is required for provider " + provider);
            }
            if ((provider == ProviderKind.OPENAI || provider == ProviderKind.OLLAMA)
                    && model == null) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.MODEL.key() + " is required for provider " + provider);
            }
            if (apiKeyEnv != null && apiKeyFile != null) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.API_KEY_ENV.key()
                                + " and "
                                + EmbeddingOptions.API_KEY_FILE.key()
                                + " are exclusive; set one");
            }
            if ((apiKeyEnv != null || apiKeyFile != null) && provider != ProviderKind.OPENAI) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.API_KEY_ENV.key()
                                + " / "
                                + EmbeddingOptions.API_KEY_FILE.key()
                                + " apply to provider openai only, not "
                                + provider);
            }
            if (backoffMax.compareTo(backoffInitial) < 0) {
                throw new IllegalArgumentException(
                        EmbeddingOptions.BACKOFF_MAX.key()
                                + " ("
                                + backoffMax
                                + ") must not be less than "
                                + EmbeddingOptions.BACKOFF_INITIAL.key()
                                + " ("
                                + backoffInitial
                                + ")");
            }
            return new EmbeddingConfig(this);
        }

        private static int atLeast(ConfigOption<?> option, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(
                        option.key() + " must be >= " + min + ", got " + value);
            }
            return value;
        }

        private static Duration positive(ConfigOption<?> option, Duration value) {
            Objects.requireNonNull(value, option.key());
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(
                        option.key() + " must be positive, got " + value);
            }
            return value;
        }

        private static Duration notNegative(ConfigOption<?> option, Duration value) {
            Objects.requireNonNull(value, option.key());
            if (value.isNegative()) {
                throw new IllegalArgumentException(
                        option.key() + " must not be negative, got " + value);
            }
            return value;
        }
    }
}
