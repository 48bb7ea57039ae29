package dev.embedflow.testing;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real HTTP server standing in for a service we cannot run in tests (TEI, Ollama, an OpenAI
 * endpoint that answers 429 or hangs). It records every request it receives and how many were being
 * answered at once.
 */
public final class StubHttpServer implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A received request; {@code body} is null when it is not JSON. */
    public record Request(
            String method,
            String path,
            Map<String, String> headers,
            String rawBody,
            JsonNode body,
            long arrivedNanos) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What to answer, optionally after a delay (a delay past the client's timeout is a hang). */
    public record Reply(int status, Map<String, String> headers, String body, Duration delay) {

        public static Reply json(int status, String body) {
            return new Reply(status, Map.of(), body, Duration.ZERO);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, delay);
        }

        public Reply after(Duration delay) {
            return new Reply(status, headers, body, delay);
        }
    }

    /** Answers one request; called on one of the server's threads. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Request request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Handler handler;
    private final boolean recording;
    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();

    private StubHttpServer(Handler handler, boolean recording) throws IOException {
        this.handler = handler;
        this.recording = recording;
        this.executor =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t = new Thread(r, "stub-http");
                            t.setDaemon(true);
                            return t;
                        });
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a free port. */
    public static StubHttpServer start(Handler handler) throws IOException {
        return new StubHttpServer(handler, true);
    }

    /**
     * Starts a server on a free port that keeps no log of requests ({@link #requests()} stays
     * empty), for long runs with many large requests.
     */
    public static StubHttpServer startUnrecorded(Handler handler) throws IOException {
        return new StubHttpServer(handler, false);
    }

    /** {@code http://127.0.0.1:port}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request received so far, in arrival order. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The most requests that were being answered at the same time. */
    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try (exchange) {
            String raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            JsonNode json;
            try {
                json = raw.isEmpty() ? null : MAPPER.readTree(raw);
            } catch (IOException e) {
                json = null;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders()
                    .forEach(
                            (k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            Request request =
                    new Request(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().getPath(),
                            headers,
                            raw,
                            json,
                            System.nanoTime());
            if (recording) {
                synchronized (this) {
                    requests.add(request);
                }
            }
            Reply reply;
            try {
                reply = handler.handle(request);
            } catch (Exception e) {
                reply = Reply.json(500, "{\"error\":\"stub failed: " + e + "\"}");
            }
            if (!reply.delay().isZero()) {
                try {
                    Thread.sleep(reply.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            // the client went away (e.g. timed out on a hang)
        } finally {
            concurrent.decrementAndGet();
        }
    }
}
