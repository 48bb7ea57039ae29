package dev.embedflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * For benchmarks only: an OpenAI-compatible embeddings endpoint ({@code POST /v1/embeddings}) that
 * answers every input with the same fixed vector without computing anything, so that a pipeline run
 * against it measures everything but the model. Never use it to index real data: every document
 * gets the same vector.
 *
 * <p>It counts requests and texts. Errors are minimal: 404 for other paths, 405 for other methods,
 * 400 for a body without an {@code input}.
 */
public final class ZeroCostEmbeddingServer implements AutoCloseable {

    /** The model name it reports, whatever the request asks for. */
    public static final String MODEL = "zero-cost-384";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final int dimensions;
    private final String vectorJson;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong texts = new AtomicLong();

    private ZeroCostEmbeddingServer(int dimensions, HttpServer server, ExecutorService executor) {
        this.dimensions = dimensions;
        this.server = server;
        this.executor = executor;
        StringBuilder vector = new StringBuilder("[");
        float component = (float) (1.0 / Math.sqrt(dimensions));
        for (int i = 0; i < dimensions; i++) {
            vector.append(i == 0 ? "" : ",").append(component);
        }
        this.vectorJson = vector.append(']').toString();
    }

    /** Starts a server on 127.0.0.1 at a free port, answering {@code dimensions}-dim vectors. */
    public static ZeroCostEmbeddingServer start(int dimensions) throws IOException {
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be at least 1");
        }
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        ExecutorService executor = Executors.newFixedThreadPool(4);
        ZeroCostEmbeddingServer stub = new ZeroCostEmbeddingServer(dimensions, http, executor);
        http.createContext("/v1/embeddings", stub::handle);
        http.setExecutor(executor);
        http.start();
        return stub;
    }

    /** The base URL to configure as {@code embedding.base-url}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public int dimensions() {
        return dimensions;
    }

    /** Embedding requests answered so far. */
    public long requests() {
        return requests.get();
    }

    /** Texts embedded so far. */
    public long texts() {
        return texts.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"/v1/embeddings".equals(exchange.getRequestURI().getPath())) {
                reply(exchange, 404, "{\"error\":{\"message\":\"not found\"}}");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "{\"error\":{\"message\":\"POST only\"}}");
                return;
            }
            JsonNode input;
            try (InputStream body = exchange.getRequestBody()) {
                input = MAPPER.readTree(body).path("input");
            } catch (IOException e) {
                reply(exchange, 400, "{\"error\":{\"message\":\"body is not JSON\"}}");
                return;
            }
            int count = input.isArray() ? input.size() : input.isTextual() ? 1 : 0;
            if (count == 0) {
                reply(exchange, 400, "{\"error\":{\"message\":\"no input\"}}");
                return;
            }
            requests.incrementAndGet();
            texts.addAndGet(count);
            StringBuilder json = new StringBuilder(count * (vectorJson.length() + 48) + 128);
            json.append("{\"object\":\"list\",\"data\":[");
            for (int i = 0; i < count; i++) {
                json.append(i == 0 ? "" : ",")
                        .append("{\"object\":\"embedding\",\"index\":")
                        .append(i)
                        .append(",\"embedding\":")
                        .append(vectorJson)
                        .append('}');
            }
            json.append("],\"model\":\"")
                    .append(MODEL)
                    .append("\",\"usage\":{\"prompt_tokens\":0,\"total_tokens\":0}}");
            reply(exchange, 200, json.toString());
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
