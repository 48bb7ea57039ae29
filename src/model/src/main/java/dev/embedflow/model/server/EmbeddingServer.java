package dev.embedflow.model.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.model.Embedder;
import dev.embedflow.model.EmbedderBusyException;
import dev.embedflow.model.Embedding;
import dev.embedflow.model.TokenLimitExceededException;
import dev.embedflow.model.TruncationPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI embeddings API over an {@link Embedder}, on the JDK's HTTP server.
 *
 * <ul>
 *   <li>{@code POST /v1/embeddings}: {@code {model, input: string | string[], encoding_format?:
 *       "float" | "base64", dimensions?, user?}}; base64 is little-endian float32, as the OpenAI
 *       clients expect. Texts over the model's token limit are a 400 naming the input, never cut.
 *   <li>{@code GET /v1/models}, {@code GET /v1/models/{id}} and {@code GET /health}.
 * </ul>
 *
 * <p>Errors have OpenAI's shape {@code {error:{message, type, code, param}}}: 400 for invalid
 * requests, 401 for a missing or wrong API key (only when one is configured; {@code /health} needs
 * none), 404 for unknown paths and models, 405 for wrong methods, 413 for too many inputs or too
 * large a body, 429 with {@code Retry-After} when more texts are waiting than allowed, 500 for
 * anything unexpected (logged, answered with a generic message).
 *
 * <p>Request handling never blocks on inference: a small bounded pool parses requests and writes
 * the responses when the embedder's future completes. The server does not own the embedder: closing
 * the server leaves it open.
 */
public final class EmbeddingServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingServer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = MAPPER.getFactory();
    private static final String RETRY_AFTER_SECONDS = "1";

    private final Embedder embedder;
    private final String host;
    private final int requestedPort;
    private final int maxInputs;
    private final int maxQueuedTexts;
    private final int maxBodyBytes;
    private final int handlerThreads;
    private final byte[] apiKey;
    private final Set<String> modelNames;
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicInteger textsInFlight = new AtomicInteger();

    private HttpServer server;
    private ThreadPoolExecutor executor;

    private EmbeddingServer(Builder b) {
        this.embedder = b.embedder;
        this.host = b.host;
        this.requestedPort = b.port;
        this.maxInputs = b.maxInputs;
        this.maxQueuedTexts = b.maxQueuedTexts;
        this.maxBodyBytes = b.maxBodyBytes;
        this.handlerThreads = b.handlerThreads;
        this.apiKey = b.apiKey == null ? null : b.apiKey.getBytes(StandardCharsets.UTF_8);
        Set<String> names = new LinkedHashSet<>();
        names.add(embedder.modelId());
        names.addAll(embedder.modelAliases());
        this.modelNames = Set.copyOf(names);
    }

    /** A builder for a server in front of {@code embedder}. */
    public static Builder builder(Embedder embedder) {
        return new Builder(embedder);
    }

    /** Binds the port and starts answering. */
    public synchronized EmbeddingServer start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        AtomicInteger threadNumber = new AtomicInteger();
        executor =
                new ThreadPoolExecutor(
                        handlerThreads,
                        handlerThreads,
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(1024),
                        r -> {
                            Thread t =
                                    new Thread(
                                            r, "embedflow-http-" + threadNumber.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        },
                        new ThreadPoolExecutor.CallerRunsPolicy());
        HttpServer http = HttpServer.create(new InetSocketAddress(host, requestedPort), 0);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        server = http;
        LOG.info("Embedding server for {} listening on {}", embedder.modelId(), baseUri());
        return this;
    }

    /** The bound port (useful when built with port 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}, e.g. for a client's base URL (append {@code /v1}). */
    public URI baseUri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port());
    }

    /** Stops listening and the handler threads. Idempotent; the embedder stays open. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        server = null;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ request handling

    private void handle(HttpExchange exchange) {
        try {
            route(exchange);
        } catch (ApiError e) {
            sendError(exchange, e);
        } catch (Throwable t) {
            LOG.error(
                    "Unexpected error answering {} {}",
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    t);
            sendError(exchange, internalError());
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        if (path.equals("/health")) {
            requireMethod(method, "GET");
            send(exchange, 200, json(g -> g.writeStringField("status", "ok")));
        } else if (path.equals("/v1/embeddings")) {
            authorize(exchange);
            requireMethod(method, "POST");
            embeddings(exchange);
        } else if (path.equals("/v1/models")) {
            authorize(exchange);
            requireMethod(method, "GET");
            send(exchange, 200, modelList());
        } else if (path.startsWith("/v1/models/")) {
            authorize(exchange);
            requireMethod(method, "GET");
            String id = path.substring("/v1/models/".length());
            if (!modelNames.contains(id)) {
                throw modelNotFound(id);
            }
            send(exchange, 200, json(g -> writeModel(g, id)));
        } else {
            throw new ApiError(
                    404, ApiError.INVALID_REQUEST, "not_found", null, "Unknown path " + path + ".");
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new ApiError(
                    405,
                    ApiError.INVALID_REQUEST,
                    "method_not_allowed",
                    null,
                    "Method " + method + " is not allowed here; use " + allowed + ".");
        }
    }

    private void authorize(HttpExchange exchange) {
        if (apiKey == null) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] presented = new byte[0];
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        }
        if (!MessageDigest.isEqual(presented, apiKey)) {
            throw new ApiError(
                    401,
                    ApiError.INVALID_REQUEST,
                    "invalid_api_key",
                    null,
                    "Missing or incorrect API key; send it as 'Authorization: Bearer <key>'.");
        }
    }

    private void embeddings(HttpExchange exchange) throws IOException {
        EmbeddingsRequest request = parse(readBody(exchange));
        int n = request.texts.size();
        if (textsInFlight.addAndGet(n) > maxQueuedTexts) {
            textsInFlight.addAndGet(-n);
            throw busy();
        }
        CompletableFuture<List<Embedding>> future;
        try {
            future = embedder.embedAsync(request.texts, TruncationPolicy.REJECT);
        } catch (RuntimeException e) {
            textsInFlight.addAndGet(-n);
            throw e;
        }
        future.whenCompleteAsync(
                (embeddings, failure) -> {
                    textsInFlight.addAndGet(-n);
                    try {
                        if (failure == null) {
                            send(exchange, 200, embeddingsResponse(request, embeddings));
                        } else {
                            sendError(exchange, toApiError(EmbeddingException.unwrap(failure)));
                        }
                    } catch (JsonProcessingException e) {
                        LOG.error("Could not write the answer to POST /v1/embeddings", e);
                        sendError(exchange, internalError());
                    } catch (IOException e) {
                        // The client went away (timed out, cancelled, restarted) before its answer.
                        LOG.debug("Could not answer POST /v1/embeddings: {}", e.toString());
                        exchange.close();
                    } catch (Throwable t) {
                        LOG.error("Unexpected error answering POST /v1/embeddings", t);
                        sendError(exchange, internalError());
                    }
                },
                executor);
    }

    private ApiError toApiError(Throwable failure) {
        if (failure instanceof TokenLimitExceededException e) {
            return ApiError.badRequest(
                    "context_length_exceeded",
                    "input",
                    "input["
                            + e.inputIndex()
                            + "] has "
                            + e.tokenCount()
                            + " tokens, more than the model's limit of "
                            + e.limit()
                            + " tokens (special tokens included). Split or shorten it.");
        }
        if (failure instanceof EmbedderBusyException) {
            return busy();
        }
        LOG.error("Embedding failed", failure);
        return internalError();
    }

    private byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("invalid_request", null, "Invalid Content-Length.");
            }
            if (declared > maxBodyBytes) {
                throw bodyTooLarge();
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                throw bodyTooLarge();
            }
            return body;
        }
    }

    private EmbeddingsRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiError.badRequest("invalid_json", null, "The request body is not valid JSON.");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest(
                    "invalid_request", null, "The request body must be a JSON object.");
        }

        JsonNode model = root.get("model");
        if (model == null || model.isNull()) {
            throw ApiError.badRequest(
                    "missing_required_parameter", "model", "'model' is required.");
        }
        if (!model.isTextual()) {
            throw ApiError.badRequest("invalid_type", "model", "'model' must be a string.");
        }
        if (!modelNames.contains(model.textValue())) {
            throw modelNotFound(model.textValue());
        }

        List<String> texts = parseInput(root.get("input"));

        boolean base64 = false;
        JsonNode format = root.get("encoding_format");
        if (format != null && !format.isNull()) {
            if (format.isTextual() && format.textValue().equals("base64")) {
                base64 = true;
            } else if (!(format.isTextual() && format.textValue().equals("float"))) {
                throw ApiError.badRequest(
                        "invalid_value",
                        "encoding_format",
                        "'encoding_format' must be \"float\" or \"base64\".");
            }
        }

        JsonNode dimensions = root.get("dimensions");
        if (dimensions != null && !dimensions.isNull()) {
            if (!dimensions.isIntegralNumber() || dimensions.asLong() != embedder.dimensions()) {
                throw ApiError.badRequest(
                        "invalid_value",
                        "dimensions",
                        "'dimensions' must be "
                                + embedder.dimensions()
                                + " for "
                                + embedder.modelId()
                                + "; it cannot be shortened.");
            }
        }

        JsonNode user = root.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw ApiError.badRequest("invalid_type", "user", "'user' must be a string.");
        }
        return new EmbeddingsRequest(texts, base64);
    }

    private List<String> parseInput(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiError.badRequest(
                    "missing_required_parameter", "input", "'input' is required.");
        }
        if (input.isTextual()) {
            if (input.textValue().isEmpty()) {
                throw ApiError.badRequest(
                        "invalid_value", "input", "'input' must not be an empty string.");
            }
            return List.of(input.textValue());
        }
        if (!input.isArray()) {
            throw ApiError.badRequest(
                    "invalid_type", "input", "'input' must be a string or an array of strings.");
        }
        if (input.isEmpty()) {
            throw ApiError.badRequest("invalid_value", "input", "'input' must not be empty.");
        }
        if (input.size() > maxInputs) {
            throw new ApiError(
                    413,
                    ApiError.INVALID_REQUEST,
                    "too_many_inputs",
                    "input",
                    "'input' has "
                            + input.size()
                            + " items; at most "
                            + maxInputs
                            + " are accepted per request.");
        }
        List<String> texts = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if (!item.isTextual()) {
                throw ApiError.badRequest(
                        "invalid_type",
                        "input",
                        "input[" + i + "] must be a string (token arrays are not supported).");
            }
            if (item.textValue().isEmpty()) {
                throw ApiError.badRequest(
                        "invalid_value", "input", "input[" + i + "] is an empty string.");
            }
            texts.add(item.textValue());
        }
        return texts;
    }

    // ------------------------------------------------------------------ responses

    private byte[] embeddingsResponse(EmbeddingsRequest request, List<Embedding> embeddings)
            throws IOException {
        long tokens = 0;
        for (Embedding e : embeddings) {
            tokens += e.tokenCount();
        }
        long promptTokens = tokens;
        return json(
                g -> {
                    g.writeStringField("object", "list");
                    g.writeArrayFieldStart("data");
                    for (int i = 0; i < embeddings.size(); i++) {
                        Embedding e = embeddings.get(i);
                        g.writeStartObject();
                        g.writeStringField("object", "embedding");
                        g.writeNumberField("index", i);
                        g.writeFieldName("embedding");
                        if (request.base64) {
                            g.writeString(toBase64(e));
                        } else {
                            g.writeStartArray();
                            for (int d = 0; d < e.dimensions(); d++) {
                                g.writeNumber(e.get(d));
                            }
                            g.writeEndArray();
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeStringField("model", embedder.modelId());
                    g.writeObjectFieldStart("usage");
                    g.writeNumberField("prompt_tokens", promptTokens);
                    g.writeNumberField("total_tokens", promptTokens);
                    g.writeEndObject();
                });
    }

    private static String toBase64(Embedding e) {
        ByteBuffer bytes =
                ByteBuffer.allocate(e.dimensions() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < e.dimensions(); d++) {
            bytes.putFloat(e.get(d));
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private byte[] modelList() throws IOException {
        return json(
                g -> {
                    g.writeStringField("object", "list");
                    g.writeArrayFieldStart("data");
                    g.writeStartObject();
                    writeModel(g, embedder.modelId());
                    g.writeEndObject();
                    g.writeEndArray();
                });
    }

    private void writeModel(JsonGenerator g, String id) throws IOException {
        g.writeStringField("id", id);
        g.writeStringField("object", "model");
        g.writeNumberField("created", created);
        g.writeStringField("owned_by", "embedflow");
    }

    private static ApiError modelNotFound(String model) {
        return new ApiError(
                404,
                ApiError.INVALID_REQUEST,
                "model_not_found",
                "model",
                "The model '" + abbreviate(model) + "' does not exist on this server.");
    }

    private ApiError bodyTooLarge() {
        return new ApiError(
                413,
                ApiError.INVALID_REQUEST,
                "request_too_large",
                null,
                "The request body is larger than " + maxBodyBytes + " bytes.");
    }

    private static ApiError busy() {
        return new ApiError(
                429,
                "rate_limit_error",
                "rate_limit_exceeded",
                null,
                "The embedding queue is full; retry after " + RETRY_AFTER_SECONDS + " s.");
    }

    private static ApiError internalError() {
        return new ApiError(500, "server_error", "internal_error", null, "Internal server error.");
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    private void sendError(HttpExchange exchange, ApiError error) {
        try {
            if (error.status == 429) {
                exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
            }
            if (error.status == 405) {
                exchange.getResponseHeaders().set("Allow", allowedMethods(exchange));
            }
            send(
                    exchange,
                    error.status,
                    json(
                            g -> {
                                g.writeObjectFieldStart("error");
                                g.writeStringField("message", error.getMessage());
                                g.writeStringField("type", error.type);
                                g.writeStringField("code", error.code);
                                g.writeStringField("param", error.param);
                                g.writeEndObject();
                            }));
        } catch (IOException | RuntimeException e) {
            LOG.debug("Could not send error response", e);
            exchange.close();
        }
    }

    private static String allowedMethods(HttpExchange exchange) {
        return exchange.getRequestURI().getPath().equals("/v1/embeddings") ? "POST" : "GET";
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    /** A JSON object whose fields {@code body} writes. */
    private static byte[] json(JsonBody body) throws JsonProcessingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private record EmbeddingsRequest(List<String> texts, boolean base64) {}

    /** Settings of an {@link EmbeddingServer}. */
    public static final class Builder {
        private final Embedder embedder;
        private String host = "127.0.0.1";
        private int port = 8090;
        private int maxInputs = 2048;
        private int maxQueuedTexts = 8192;
        private int maxBodyBytes = 16 * 1024 * 1024;
        private int handlerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private String apiKey;

        private Builder(Embedder embedder) {
            this.embedder = Objects.requireNonNull(embedder, "embedder");
        }

        /** Address to bind; default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Port to bind, 0 for any free port; default 8090. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Most texts in one request (more is a 413); default 2048, as OpenAI. */
        public Builder maxInputs(int maxInputs) {
            if (maxInputs < 1) {
                throw new IllegalArgumentException("maxInputs must be >= 1, got " + maxInputs);
            }
            this.maxInputs = maxInputs;
            return this;
        }

        /**
         * Most texts accepted and not yet answered, over all requests (beyond it a 429); default
         * 8192. Must be at least {@link #maxInputs(int)}.
         */
        public Builder maxQueuedTexts(int maxQueuedTexts) {
            if (maxQueuedTexts < 1) {
                throw new IllegalArgumentException(
                        "maxQueuedTexts must be >= 1, got " + maxQueuedTexts);
            }
            this.maxQueuedTexts = maxQueuedTexts;
            return this;
        }

        /** Largest request body (more is a 413); default 16 MiB. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            if (maxBodyBytes < 1 || maxBodyBytes == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("invalid maxBodyBytes " + maxBodyBytes);
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** Threads parsing requests and writing responses; default max(4, 2 x cores). */
        public Builder handlerThreads(int handlerThreads) {
            if (handlerThreads < 1) {
                throw new IllegalArgumentException(
                        "handlerThreads must be >= 1, got " + handlerThreads);
            }
            this.handlerThreads = handlerThreads;
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer <apiKey>} on /v1 paths; null or blank: no key
         * required. The key is never logged nor echoed.
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
            return this;
        }

        public EmbeddingServer build() {
            if (maxQueuedTexts < maxInputs) {
                throw new IllegalArgumentException(
                        "maxQueuedTexts ("
                                + maxQueuedTexts
                                + ") must be at least maxInputs ("
                                + maxInputs
                                + "), or a full-size request could never be accepted");
            }
            return new EmbeddingServer(this);
        }
    }
}
