package dev.embedflow.embedding.provider;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.EmbeddingOptions;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.Outcome;
import dev.embedflow.embedding.internal.ResponseClassifier;
import dev.embedflow.http.RetryAfter;
import dev.embedflow.http.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.BoundRequestBuilder;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Dsl;
import org.asynchttpclient.Response;

/**
 * What the HTTP providers share: one {@link AsyncHttpClient} per provider instance (created in
 * {@link #open()}, closed in {@link #close()}), JSON in and out, status classification by {@link
 * ResponseClassifier}, error messages that name provider, URL and model and never the API key.
 */
abstract class HttpEmbeddingProvider implements EmbeddingProvider {

    /**
     * Reads numbers with Jackson's FastDoubleParser (same values, correctly rounded): an answer is
     * mostly its vectors' digits, and the JDK's parser took twice the time here (a 512 x 384
     * answer: 11 against 20 ms).
     */
    static final ObjectMapper MAPPER =
            new ObjectMapper(
                    new JsonFactoryBuilder()
                            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                            .build());

    private static final int MAX_MESSAGE_CHARS = 500;

    final EmbeddingConfig config;
    final String baseUrl;
    private final String endpoint;
    private volatile AsyncHttpClient client;
    private volatile String apiKey;

    HttpEmbeddingProvider(EmbeddingConfig config, String endpoint) {
        this.config = Objects.requireNonNull(config, "config");
        this.baseUrl =
                config.baseUrl()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                EmbeddingOptions.BASE_URL.key()
                                                        + " is required for "
                                                        + config.provider()))
                        .toString();
        this.endpoint = endpoint;
    }

    /** The model name for messages. */
    abstract String modelForMessages();

    /** The JSON body of one request. */
    abstract byte[] requestBody(List<String> texts) throws IOException;

    /** The vectors of a 2xx response, in input order. */
    abstract EmbeddingResponse parse(JsonNode body);

    /** Whether this provider sends the API key. */
    boolean usesApiKey() {
        return false;
    }

    @Override
    public String describe() {
        return kind() + " at " + endpoint + " (model " + modelForMessages() + ")";
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public synchronized void open() {
        if (client != null) {
            return;
        }
        if (usesApiKey()) {
            apiKey = readApiKey(config);
        }
        DefaultAsyncHttpClientConfig.Builder http =
                new DefaultAsyncHttpClientConfig.Builder()
                        .setConnectTimeout(config.connectTimeout())
                        .setRequestTimeout(config.requestTimeout())
                        .setReadTimeout(config.requestTimeout())
                        .setFollowRedirect(false)
                        .setUserAgent("EmbedFlow")
                        .setThreadPoolName("embedflow-embedding-http")
                        .setIoThreadsCount(2)
                        .setShutdownQuietPeriod(Duration.ZERO)
                        .setShutdownTimeout(Duration.ofSeconds(2));
        client = Dsl.asyncHttpClient(http);
    }

    @Override
    public synchronized void close() {
        AsyncHttpClient c = client;
        client = null;
        apiKey = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // Nothing left to do: the client's threads are gone or going.
            }
        }
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embed(List<String> texts) {
        byte[] body;
        try {
            body = requestBody(texts);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(
                    failure(Outcome.SPLIT_BATCH, 0, null, "cannot encode the request: " + e, e));
        }
        return send(client().preparePost(endpoint).setBody(body))
                .thenApply(
                        json -> {
                            try {
                                return parse(json);
                            } catch (RuntimeException e) {
                                throw failure(
                                        Outcome.INVALID_RESPONSE,
                                        200,
                                        null,
                                        "unexpected response: " + e.getMessage(),
                                        e);
                            }
                        });
    }

    /** GET {@code path} (relative to the base URL) and parse the JSON answer. */
    CompletableFuture<JsonNode> getJson(String path) {
        return send(client().prepareGet(baseUrl + path));
    }

    private CompletableFuture<JsonNode> send(BoundRequestBuilder request) {
        request.setHeader("Content-Type", "application/json")
                .setHeader("Accept", "application/json");
        String key = apiKey;
        if (key != null) {
            request.setHeader("Authorization", "Bearer " + key);
        }
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        request.execute()
                .toCompletableFuture()
                .whenComplete(
                        (response, error) -> {
                            try {
                                if (error != null) {
                                    result.completeExceptionally(transportFailure(error));
                                } else {
                                    result.complete(handle(response));
                                }
                            } catch (RuntimeException e) {
                                result.completeExceptionally(e);
                            }
                        });
        return result;
    }

    private JsonNode handle(Response response) {
        int status = response.getStatusCode();
        Outcome outcome = ResponseClassifier.classify(status);
        byte[] bytes = response.getResponseBodyAsBytes();
        if (outcome == Outcome.SUCCESS) {
            try {
                return MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw failure(
                        Outcome.INVALID_RESPONSE, status, null, "the response is not JSON", null);
            }
        }
        String message = errorMessage(bytes);
        Duration retryAfter =
                RetryAfter.fromHeaders(response::getHeader, Instant.now()).orElse(null);
        throw failure(outcome, status, retryAfter, message, null);
    }

    /**
     * The service's message from an error body: OpenAI's {@code {"error":{"message":...}}}, TEI's
     * {@code {"error":"...","error_type":"..."}}, Ollama's {@code {"error":"..."}}, or the start of
     * the body.
     */
    private static String errorMessage(byte[] body) {
        try {
            JsonNode root = MAPPER.readTree(body);
            JsonNode error = root == null ? null : root.get("error");
            if (error != null && error.isTextual()) {
                JsonNode type = root.get("error_type");
                return error.textValue() + (type != null ? " (" + type.asText() + ")" : "");
            }
            if (error != null && error.isObject() && error.hasNonNull("message")) {
                JsonNode code = error.get("code");
                return error.get("message").asText()
                        + (code != null && !code.isNull() ? " (" + code.asText() + ")" : "");
            }
        } catch (IOException notJson) {
            // fall through to the raw body
        }
        String raw = new String(body, StandardCharsets.UTF_8).strip();
        return raw.isEmpty() ? "no error message" : raw;
    }

    private EmbeddingException transportFailure(Throwable error) {
        Throwable t = EmbeddingException.unwrap(error);
        Outcome outcome = ResponseClassifier.classify(t);
        if (outcome == Outcome.FATAL) {
            // Neither a timeout nor an I/O error: something unexpected in the client; retrying
            // the same request would most likely fail the same way.
            outcome = Outcome.RETRYABLE_CONNECTION;
        }
        return failure(outcome, 0, null, t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }

    EmbeddingException failure(
            Outcome outcome, int status, Duration retryAfter, String message, Throwable cause) {
        String clean = abbreviate(Secrets.scrub(message, apiKey));
        StringBuilder full = new StringBuilder(describe());
        if (outcome == Outcome.FATAL) {
            full.append(" refused the request");
        } else {
            full.append(" failed");
        }
        if (status > 0) {
            full.append(" with HTTP ").append(status);
        }
        full.append(": ").append(clean);
        if (status == 401 || status == 403) {
            full.append("; check the API key")
                    .append(
                            config.apiKeyEnv()
                                    .map(v -> " in environment variable " + v)
                                    .or(() -> config.apiKeyFile().map(f -> " in file " + f))
                                    .orElse(" (none is configured)"));
        }
        // The transport exception may carry the request (and so the Authorization header) in
        // its own message chain; keep only its class, as the message above already says it all.
        Throwable safeCause =
                cause == null
                        ? null
                        : new TransportFailure(
                                cause.getClass().getName()
                                        + ": "
                                        + Secrets.scrub(cause.getMessage(), apiKey));
        return new EmbeddingException(
                outcome, status, retryAfter, clean, full.toString(), safeCause);
    }

    private AsyncHttpClient client() {
        AsyncHttpClient c = client;
        if (c == null) {
            throw new IllegalStateException(describe() + " is not open");
        }
        return c;
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    /** Reads the key the configuration points at; the messages name the variable or file only. */
    static String readApiKey(EmbeddingConfig config) {
        if (config.apiKeyEnv().isPresent()) {
            String name = config.apiKeyEnv().get();
            String value = System.getenv(name);
            if (value == null || value.isBlank()) {
                throw new IllegalStateException(
                        "the API key environment variable "
                                + name
                                + " ("
                                + EmbeddingOptions.API_KEY_ENV.key()
                                + ") is not set or empty");
            }
            return value.strip();
        }
        if (config.apiKeyFile().isPresent()) {
            Path file = config.apiKeyFile().get();
            String value;
            try {
                value = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot read the API key file "
                                + file
                                + " ("
                                + EmbeddingOptions.API_KEY_FILE.key()
                                + "): "
                                + e.getClass().getSimpleName());
            }
            if (value.isEmpty()) {
                throw new IllegalStateException(
                        "the API key file "
                                + file
                                + " ("
                                + EmbeddingOptions.API_KEY_FILE.key()
                                + ") is empty");
            }
            return value;
        }
        return null;
    }

    static float[] toVector(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("an embedding is not an array of numbers");
        }
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = array.get(i);
            if (!n.isNumber()) {
                throw new IllegalArgumentException("an embedding holds a non-number");
            }
            v[i] = (float) n.asDouble();
        }
        return v;
    }

    /** A transport failure's class and message, without the original's object graph. */
    static final class TransportFailure extends RuntimeException {
        TransportFailure(String message) {
            super(message, null, false, false);
        }
    }
}
