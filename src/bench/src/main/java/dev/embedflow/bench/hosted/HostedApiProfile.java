package dev.embedflow.bench.hosted;

import java.time.Duration;

/**
 * How a stand-in embedding API behaves: latency, per-request limits, rate limits and how it says
 * "too many requests". The figures are assumptions, stated where the report prints them.
 *
 * @param name short name for the report
 * @param medianLatency median time per request before the per-token cost (log-normal)
 * @param p99Latency 99th percentile of that time (sets the log-normal's spread)
 * @param perTokenCost added per input token of a request
 * @param maxInputs most texts per request (more: 400)
 * @param maxRequestTokens most tokens per request (more: 400)
 * @param requestsPerMinute RPM limit, or 0 for none
 * @param tokensPerMinute TPM limit, or 0 for none
 * @param burst how many seconds of each limit may be spent at once (OpenAI enforces per-minute
 *     limits over shorter periods)
 * @param dialect how a 429 is said
 */
public record HostedApiProfile(
        String name,
        Duration medianLatency,
        Duration p99Latency,
        Duration perTokenCost,
        int maxInputs,
        int maxRequestTokens,
        int requestsPerMinute,
        int tokensPerMinute,
        double burst,
        Dialect dialect) {

    /** How a 429 tells the client when to come back. */
    public enum Dialect {
        /**
         * OpenAI: {@code x-ratelimit-limit|remaining|reset-requests|tokens} headers (reset as
         * {@code 1s}, {@code 6m0s}, {@code 120ms}), no {@code Retry-After}.
         */
        OPENAI,
        /** Azure OpenAI: {@code retry-after-ms} and {@code Retry-After} (seconds). */
        AZURE,
        /** No limits, no 429s (a self-hosted server). */
        NONE
    }

    /**
     * A hosted API at OpenAI tier-1 ratios (3,000 RPM : 1M TPM), scaled down to 300 RPM and 100k
     * TPM to keep runs short: 150 ms median and 400 ms p99 per request (as published latency
     * figures for text-embedding-3-small put it, from a nearby region), 2 µs per input token, 2,048
     * inputs and 300k tokens per request.
     */
    public static HostedApiProfile hosted(Dialect dialect) {
        return new HostedApiProfile(
                dialect == Dialect.AZURE ? "hosted-azure" : "hosted-openai",
                Duration.ofMillis(150),
                Duration.ofMillis(400),
                Duration.ofNanos(2_000),
                2048,
                300_000,
                300,
                100_000,
                1.0,
                dialect);
    }

    /** A self-hosted GPU server: about 10 ms per request, no limits. */
    public static HostedApiProfile gpu() {
        return new HostedApiProfile(
                "self-hosted-gpu",
                Duration.ofMillis(10),
                Duration.ofMillis(20),
                Duration.ofNanos(200),
                2048,
                300_000,
                0,
                0,
                1.0,
                Dialect.NONE);
    }

    /**
     * No latency and no limits: a pipeline run against it measures everything but the model (its
     * vectors are still one per text, so the index does the work a real model's vectors give it).
     */
    public static HostedApiProfile zeroCost() {
        return new HostedApiProfile(
                "zero-cost",
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                2048,
                300_000,
                0,
                0,
                1.0,
                Dialect.NONE);
    }

    /** The log-normal's sigma: ln(p99 / median) / z(0.99); 0 without latency. */
    public double sigma() {
        if (medianLatency.isZero()) {
            return 0;
        }
        double ratio = (double) p99Latency.toNanos() / medianLatency.toNanos();
        return ratio <= 1 ? 0 : Math.log(ratio) / 2.3263;
    }

    /**
     * The most texts per second a client can get: {@code min(RPM x texts per request, TPM / tokens
     * per text) / 60}; unlimited ({@link Double#POSITIVE_INFINITY}) without limits.
     */
    public double ceilingTextsPerSecond(double textsPerRequest, double tokensPerText) {
        double byRequests =
                requestsPerMinute > 0
                        ? requestsPerMinute * textsPerRequest / 60.0
                        : Double.POSITIVE_INFINITY;
        double byTokens =
                tokensPerMinute > 0
                        ? tokensPerMinute / tokensPerText / 60.0
                        : Double.POSITIVE_INFINITY;
        return Math.min(byRequests, byTokens);
    }

    /** Whether the profile limits requests or tokens per minute. */
    public boolean limited() {
        return requestsPerMinute > 0 || tokensPerMinute > 0;
    }
}
