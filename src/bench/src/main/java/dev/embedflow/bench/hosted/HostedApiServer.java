package dev.embedflow.bench.hosted;

import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * For benchmarks: an OpenAI-compatible embeddings endpoint that behaves like a hosted API ({@link
 * HostedApiProfile}) without computing anything: each request waits a log-normal latency plus a
 * per-token cost, per-request limits answer 400, RPM and TPM buckets answer 429 in the profile's
 * dialect, and vectors are derived from each text (the same text always gets the same unit vector,
 * different texts nearly orthogonal ones), so that indexing and change detection behave as with a
 * real model. Tokens are counted as UTF-8 bytes / 4, rounded up (OpenAI's tokenizer gives about
 * that for English).
 *
 * <p>It counts what a benchmark cell reports: requests (admitted, refused with 429, rejected with
 * 400), texts and tokens embedded, and the most requests in flight at once.
 */
public final class HostedApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HostedApiProfile profile;
    private final int dimensions;
    private volatile RateLimits limits;
    private final LongSupplier clock;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong seed = new AtomicLong(42);

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong texts = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong firstRequestNanos = new AtomicLong();
    private final AtomicLong lastAnswerNanos = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    private HostedApiServer(
            HostedApiProfile profile, int dimensions, HttpServer server, ExecutorService executor) {
        this.profile = profile;
        this.dimensions = dimensions;
        this.clock = System::nanoTime;
        this.limits = freshLimits();
        this.server = server;
        this.executor = executor;
    }

    /** Starts a server for {@code profile} on 127.0.0.1 at a free port. */
    public static HostedApiServer start(HostedApiProfile profile, int dimensions)
            throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        // Requests wait out their latency on their thread: enough threads for any client's
        // concurrency (OkHttp's 5 per host, a batching job's dozens).
        ExecutorService executor = Executors.newFixedThreadPool(256);
        HostedApiServer stub = new HostedApiServer(profile, dimensions, http, executor);
        http.createContext("/v1/embeddings", stub::handle);
        http.setExecutor(executor);
        http.start();
        return stub;
    }

    public HostedApiProfile profile() {
        return profile;
    }

    /**
     * The base URL ({@code embedding.base-url}); the endpoint is {@code /v1/embeddings} under it.
     */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request received. */
    public long requests() {
        return requests.get();
    }

    /** Requests answered with vectors. */
    public long admitted() {
        return admitted.get();
    }

    /** Requests refused with 429. */
    public long rateLimited() {
        return rateLimited.get();
    }

    /** Requests rejected with 400 (over a per-request limit, malformed). */
    public long rejected() {
        return rejected.get();
    }

    /** Texts embedded (in admitted requests). */
    public long texts() {
        return texts.get();
    }

    /** Tokens embedded. */
    public long tokens() {
        return tokens.get();
    }

    /** The most requests in flight at once since the last {@link #reset()}. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /**
     * Seconds from the first request since the last {@link #reset()} to the last answer with
     * vectors: the time a client kept the service busy.
     */
    public double busySeconds() {
        long first = firstRequestNanos.get();
        long last = lastAnswerNanos.get();
        return first == 0 || last <= first ? 0 : (last - first) / 1e9;
    }

    private RateLimits freshLimits() {
        return new RateLimits(
                profile.requestsPerMinute(),
                profile.tokensPerMinute(),
                profile.burst(),
                clock.getAsLong());
    }

    /**
     * Zeroes the counters and fills the rate limits' buckets (between benchmark runs: each starts
     * with the same quota, whatever the run before it spent).
     */
    public void reset() {
        limits = freshLimits();
        firstRequestNanos.set(0);
        lastAnswerNanos.set(0);
        requests.set(0);
        admitted.set(0);
        rateLimited.set(0);
        rejected.set(0);
        texts.set(0);
        tokens.set(0);
        maxInFlight.set(inFlight.get());
    }

    /** Tokens a text counts for: UTF-8 bytes / 4, rounded up, at least 1. */
    public static int tokens(String text) {
        return Math.max(1, (text.getBytes(StandardCharsets.UTF_8).length + 3) / 4);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            firstRequestNanos.compareAndSet(0, clock.getAsLong());
            if (!"POST".equals(exchange.getRequestMethod())) {
                reject(exchange, 405, "POST only", "invalid_request_error");
                return;
            }
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                body = JSON.readTree(in);
            } catch (IOException e) {
                reject(exchange, 400, "We could not parse the JSON body of your request.", null);
                return;
            }
            List<String> inputs = inputs(body == null ? null : body.path("input"));
            if (inputs.isEmpty()) {
                reject(exchange, 400, "'input' : input cannot be an empty string or list", null);
                return;
            }
            if (inputs.size() > profile.maxInputs()) {
                reject(
                        exchange,
                        400,
                        "'input' : maximum "
                                + profile.maxInputs()
                                + " inputs per request, got "
                                + inputs.size(),
                        null);
                return;
            }
            int requestTokens = 0;
            for (String input : inputs) {
                requestTokens += tokens(input);
            }
            if (requestTokens > profile.maxRequestTokens()) {
                reject(
                        exchange,
                        400,
                        "Requested "
                                + requestTokens
                                + " tokens, max "
                                + profile.maxRequestTokens()
                                + " tokens per request",
                        "max_tokens_per_request");
                return;
            }
            RateLimits.Decision decision = limits.admit(requestTokens, clock.getAsLong());
            if (!decision.admitted()) {
                rateLimited.incrementAndGet();
                tooManyRequests(exchange, decision, requestTokens);
                return;
            }
            admitted.incrementAndGet();
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                TimeUnit.NANOSECONDS.sleep(latencyNanos(requestTokens));
                boolean base64 = "base64".equals(body.path("encoding_format").asText());
                String model = body.path("model").asText("text-embedding-stand-in");
                byte[] answer = answer(inputs, model, base64, requestTokens);
                texts.addAndGet(inputs.size());
                tokens.addAndGet(requestTokens);
                rateHeaders(exchange, decision);
                send(exchange, 200, answer);
                lastAnswerNanos.accumulateAndGet(clock.getAsLong(), Math::max);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private long latencyNanos(int requestTokens) {
        SplittableRandom random = new SplittableRandom(seed.incrementAndGet());
        double gaussian = gaussian(random);
        double base = profile.medianLatency().toNanos() * Math.exp(profile.sigma() * gaussian);
        return (long) base + requestTokens * profile.perTokenCost().toNanos();
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static List<String> inputs(JsonNode input) {
        List<String> inputs = new ArrayList<>();
        if (input == null || input.isMissingNode() || input.isNull()) {
            return inputs;
        }
        if (input.isTextual()) {
            inputs.add(input.asText());
        } else if (input.isArray()) {
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    return List.of();
                }
                inputs.add(item.asText());
            }
        }
        return inputs;
    }

    /** The unit vector of a text: a pseudo-random direction seeded by the text's hash. */
    float[] vector(String text) {
        long h = 1125899906842597L;
        for (int i = 0; i < text.length(); i++) {
            h = 31 * h + text.charAt(i);
        }
        SplittableRandom random = new SplittableRandom(h);
        float[] v = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            v[i] = (float) (random.nextDouble() - 0.5);
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            v[i] *= scale;
        }
        return v;
    }

    private byte[] answer(List<String> inputs, String model, boolean base64, int requestTokens) {
        StringBuilder json = new StringBuilder(inputs.size() * dimensions * 12 + 256);
        json.append("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < inputs.size(); i++) {
            float[] v = vector(inputs.get(i));
            json.append(i == 0 ? "" : ",")
                    .append("{\"object\":\"embedding\",\"index\":")
                    .append(i)
                    .append(",\"embedding\":");
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    bytes.putFloat(f);
                }
                json.append('"')
                        .append(Base64.getEncoder().encodeToString(bytes.array()))
                        .append('"');
            } else {
                json.append('[');
                for (int d = 0; d < v.length; d++) {
                    // Jackson's Schubfach writer, faster than JDK 17's Float.toString.
                    json.append(d == 0 ? "" : ",").append(NumberOutput.toString(v[d], true));
                }
                json.append(']');
            }
            json.append('}');
        }
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", requestTokens).put("total_tokens", requestTokens);
        json.append("],\"model\":")
                .append(JSON.getNodeFactory().textNode(model))
                .append(",\"usage\":")
                .append(usage)
                .append('}');
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void tooManyRequests(
            HttpExchange exchange, RateLimits.Decision decision, int requestTokens)
            throws IOException {
        double seconds = decision.waitNanos() / 1e9;
        String message;
        switch (profile.dialect()) {
            case AZURE -> {
                long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(decision.waitNanos()));
                exchange.getResponseHeaders().add("retry-after-ms", String.valueOf(ms));
                exchange.getResponseHeaders()
                        .add("Retry-After", String.valueOf((long) Math.ceil(ms / 1000.0)));
                message =
                        "Requests to the Embeddings_Create Operation under Azure OpenAI API have"
                                + " exceeded call rate limit of your current pricing tier. Please"
                                + " retry after "
                                + (long) Math.ceil(seconds)
                                + " seconds.";
            }
            default -> {
                rateHeaders(exchange, decision);
                message =
                        String.format(
                                java.util.Locale.ROOT,
                                "Rate limit reached for text-embedding-stand-in on %s per min:"
                                        + " Limit %d, Requested %d. Please try again in %.3fs.",
                                decision.limitedBy().equals("tokens")
                                        ? "tokens (TPM)"
                                        : "requests (RPM)",
                                decision.limitedBy().equals("tokens")
                                        ? profile.tokensPerMinute()
                                        : profile.requestsPerMinute(),
                                decision.limitedBy().equals("tokens") ? requestTokens : 1,
                                seconds);
            }
        }
        send(exchange, 429, error(message, decision.limitedBy(), "rate_limit_exceeded"));
    }

    private void rateHeaders(HttpExchange exchange, RateLimits.Decision decision) {
        if (profile.dialect() != HostedApiProfile.Dialect.OPENAI) {
            return;
        }
        var h = exchange.getResponseHeaders();
        h.add("x-ratelimit-limit-requests", String.valueOf(profile.requestsPerMinute()));
        h.add("x-ratelimit-limit-tokens", String.valueOf(profile.tokensPerMinute()));
        h.add("x-ratelimit-remaining-requests", String.valueOf(decision.remainingRequests()));
        h.add("x-ratelimit-remaining-tokens", String.valueOf(decision.remainingTokens()));
        h.add(
                "x-ratelimit-reset-requests",
                RateLimits.openAiDuration(decision.resetRequestsNanos()));
        h.add("x-ratelimit-reset-tokens", RateLimits.openAiDuration(decision.resetTokensNanos()));
    }

    private void reject(HttpExchange exchange, int status, String message, String code)
            throws IOException {
        rejected.incrementAndGet();
        send(exchange, status, error(message, "invalid_request_error", code));
    }

    private static byte[] error(String message, String type, String code) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message).put("type", type).putNull("param");
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
