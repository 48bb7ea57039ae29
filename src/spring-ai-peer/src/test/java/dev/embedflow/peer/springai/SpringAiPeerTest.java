package dev.embedflow.peer.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.retry.NonTransientAiException;

/** The peer's Spring AI client against a real HTTP server: 429 is retried, other 4xx are not. */
class SpringAiPeerTest {

    private static final String VECTORS =
            "{\"object\": \"list\", \"model\": \"m\", \"data\": [{\"object\": \"embedding\","
                    + " \"index\": 0, \"embedding\": [0.6, 0.8]}],"
                    + " \"usage\": {\"prompt_tokens\": 1, \"total_tokens\": 1}}";

    private HttpServer server;
    private final Deque<Integer> statuses = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/v1/embeddings",
                exchange -> {
                    requests.incrementAndGet();
                    exchange.getRequestBody().readAllBytes();
                    int status = statuses.isEmpty() ? 200 : statuses.pop();
                    byte[] body =
                            (status == 200
                                            ? VECTORS
                                            : "{\"error\": {\"message\": \"status "
                                                    + status
                                                    + "\"}}")
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void aRateLimitedRequestIsRetried() {
        statuses.push(429);
        float[] vector = SpringAiPeer.embeddingModel(base(), "m").embed(List.of("a")).get(0);
        assertThat(vector).containsExactly(0.6f, 0.8f);
        assertThat(requests).hasValue(2);
    }

    @Test
    void anotherClientErrorIsFinal() {
        statuses.push(400);
        assertThatThrownBy(() -> SpringAiPeer.embeddingModel(base(), "m").embed(List.of("a")))
                .isInstanceOf(NonTransientAiException.class)
                .hasMessageContaining("400");
        assertThat(requests).hasValue(1);
    }

    @Test
    void theMappingIsLuceneHnswOfTheGivenDimensionsAndGraph() throws IOException {
        var mapping = new ObjectMapper().readTree(SpringAiPeer.mapping(384, 24, 128));
        var embedding = mapping.path("properties").path("embedding");
        assertThat(embedding.path("dimension").asInt()).isEqualTo(384);
        assertThat(embedding.path("method").path("engine").asText()).isEqualTo("lucene");
        assertThat(embedding.path("method").path("parameters").path("m").asInt()).isEqualTo(24);
        assertThat(embedding.path("method").path("parameters").path("ef_construction").asInt())
                .isEqualTo(128);
    }
}
