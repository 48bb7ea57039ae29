package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ZeroCostEmbeddingServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> post(ZeroCostEmbeddingServer stub, String body)
            throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(stub.baseUri().resolve("/v1/embeddings"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersEveryInputWithTheFixedVectorInOpenAisShape() throws Exception {
        try (ZeroCostEmbeddingServer stub = ZeroCostEmbeddingServer.start(384)) {
            HttpResponse<String> response =
                    post(stub, "{\"model\":\"m\",\"input\":[\"a\",\"b\",\"c\"]}");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode data = new ObjectMapper().readTree(response.body()).get("data");
            assertThat(data).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(data.get(i).get("index").asInt()).isEqualTo(i);
                assertThat(data.get(i).get("embedding")).hasSize(384);
            }
            assertThat(data.get(0).get("embedding")).isEqualTo(data.get(2).get("embedding"));
            assertThat(stub.requests()).isEqualTo(1);
            assertThat(stub.texts()).isEqualTo(3);
        }
    }

    @Test
    void aSingleStringInputIsOneText() throws Exception {
        try (ZeroCostEmbeddingServer stub = ZeroCostEmbeddingServer.start(4)) {
            HttpResponse<String> response = post(stub, "{\"input\":\"hello\"}");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(response.body()).at("/data/0/embedding"))
                    .hasSize(4);
        }
    }

    @Test
    void aBodyWithoutInputIsABadRequestAndNotCounted() throws Exception {
        try (ZeroCostEmbeddingServer stub = ZeroCostEmbeddingServer.start(4)) {
            assertThat(post(stub, "{\"model\":\"m\"}").statusCode()).isEqualTo(400);
            assertThat(stub.requests()).isZero();
        }
    }
}
