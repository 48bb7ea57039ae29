package dev.embedflow.model.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.model.Embedder;
import dev.embedflow.model.EmbedderBusyException;
import dev.embedflow.model.Embedding;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.TruncationPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The embedding server over real HTTP, in front of the real model. */
class EmbeddingServerITCase {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_INPUTS = 8;
    private static final int MAX_BODY_BYTES = 16 * 1024;

    private static LocalEmbeddingModel model;
    private static EmbeddingServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() throws IOException {
        model = LocalEmbeddingModel.acquireShared();
        server =
                EmbeddingServer.builder(model)
                        .port(0)
                        .maxInputs(MAX_INPUTS)
                        .maxBodyBytes(MAX_BODY_BYTES)
                        .build()
                        .start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    @Test
    void singleStringGivesOneEmbeddingEqualToTheModels() throws Exception {
        String text = "A man is eating food.";

        HttpResponse<String> response = post(server, "/v1/embeddings", embeddingsBody(text));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode json = MAPPER.readTree(response.body());
        assertThat(json.get("object").asText()).isEqualTo("list");
        assertThat(json.get("model").asText()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(json.get("data")).hasSize(1);
        JsonNode item = json.get("data").get(0);
        assertThat(item.get("object").asText()).isEqualTo("embedding");
        assertThat(item.get("index").asInt()).isZero();
        assertThat(maxAbsDiff(floats(item.get("embedding")), model.embed(text).vector()))
                .isLessThan(1e-6);
        assertThat(json.at("/usage/prompt_tokens").asInt()).isEqualTo(8);
        assertThat(json.at("/usage/total_tokens").asInt()).isEqualTo(8);
    }

    @Test
    void listGivesEmbeddingsInInputOrderWithSummedUsage() throws Exception {
        List<String> texts =
                List.of("The new movie is awesome.", "Hi", "A man is eating a piece of bread.");

        HttpResponse<String> response =
                post(
                        server,
                        "/v1/embeddings",
                        MAPPER.writeValueAsString(
                                java.util.Map.of("model", "all-MiniLM-L6-v2", "input", texts)));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode data = MAPPER.readTree(response.body()).get("data");
        assertThat(data).hasSize(3);
        List<Embedding> expected = model.embed(texts);
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            assertThat(data.get(i).get("index").asInt()).isEqualTo(i);
            assertThat(maxAbsDiff(floats(data.get(i).get("embedding")), expected.get(i).vector()))
                    .isLessThan(1e-5);
            tokens += expected.get(i).tokenCount();
        }
        assertThat(MAPPER.readTree(response.body()).at("/usage/prompt_tokens").asInt())
                .isEqualTo(tokens);
    }

    @Test
    void base64EncodingIsLittleEndianFloat32OfTheSameVector() throws Exception {
        String text = "A man is eating a piece of bread.";

        HttpResponse<String> response =
                post(
                        server,
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":[\""
                                + text
                                + "\"],\"encoding_format\":\"base64\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        String encoded = MAPPER.readTree(response.body()).at("/data/0/embedding").asText();
        ByteBuffer bytes =
                ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.remaining()).isEqualTo(384 * 4);
        float[] decoded = new float[384];
        bytes.asFloatBuffer().get(decoded);
        assertThat(maxAbsDiff(decoded, model.embed(text).vector())).isLessThan(1e-6);
    }

    @Test
    void huggingFaceModelIdAndExplicitDefaultsAreAccepted() throws Exception {
        HttpResponse<String> response =
                post(
                        server,
                        "/v1/embeddings",
                        "{\"model\":\"sentence-transformers/all-MiniLM-L6-v2\",\"input\":\"hello\","
                                + "\"encoding_format\":\"float\",\"dimensions\":384,\"user\":\"u1\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(response.body()).at("/data/0/embedding")).hasSize(384);
    }

    @Test
    void modelsEndpointListsTheServedModel() throws Exception {
        HttpResponse<String> response = get(server, "/v1/models", null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = MAPPER.readTree(response.body());
        assertThat(json.get("object").asText()).isEqualTo("list");
        assertThat(json.get("data")).hasSize(1);
        JsonNode entry = json.get("data").get(0);
        assertThat(entry.get("id").asText()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(entry.get("object").asText()).isEqualTo("model");
        assertThat(entry.get("created").isIntegralNumber()).isTrue();
        assertThat(entry.get("owned_by").asText()).isEqualTo("embedflow");

        HttpResponse<String> one = get(server, "/v1/models/all-MiniLM-L6-v2", null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(one.body()).get("id").asText()).isEqualTo("all-MiniLM-L6-v2");
    }

    @Test
    void healthAnswers200() throws Exception {
        assertThat(get(server, "/health", null).statusCode()).isEqualTo(200);
    }

    static Stream<Arguments> badRequests() {
        String tooManyInputs =
                "{\"model\":\"all-MiniLM-L6-v2\",\"input\":"
                        + "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}";
        String overLimit = "word ".repeat(300).trim();
        String hugeBody =
                "{\"model\":\"all-MiniLM-L6-v2\",\"input\":\""
                        + "x ".repeat(MAX_BODY_BYTES)
                        + "\"}";
        return Stream.of(
                Arguments.of(
                        "malformed JSON",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":",
                        400,
                        "invalid_json",
                        "not valid JSON"),
                Arguments.of(
                        "not an object",
                        "POST",
                        "/v1/embeddings",
                        "[1,2]",
                        400,
                        "invalid_request",
                        "JSON object"),
                Arguments.of(
                        "missing input",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\"}",
                        400,
                        "missing_required_parameter",
                        "'input' is required"),
                Arguments.of(
                        "missing model",
                        "POST",
                        "/v1/embeddings",
                        "{\"input\":\"hi\"}",
                        400,
                        "missing_required_parameter",
                        "'model' is required"),
                Arguments.of(
                        "empty list",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":[]}",
                        400,
                        "invalid_value",
                        "must not be empty"),
                Arguments.of(
                        "empty string",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":\"\"}",
                        400,
                        "invalid_value",
                        "empty string"),
                Arguments.of(
                        "empty string in list",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":[\"ok\",\"\"]}",
                        400,
                        "invalid_value",
                        "input[1] is an empty string"),
                Arguments.of(
                        "non-string item",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":[\"ok\",[1,2,3]]}",
                        400,
                        "invalid_type",
                        "input[1] must be a string"),
                Arguments.of(
                        "number input",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":42}",
                        400,
                        "invalid_type",
                        "string or an array"),
                Arguments.of(
                        "text over the token limit",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":[\"fine\",\""
                                + overLimit
                                + "\"]}",
                        400,
                        "context_length_exceeded",
                        "input[1] has 302 tokens"),
                Arguments.of(
                        "dimensions other than 384",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":\"hi\",\"dimensions\":256}",
                        400,
                        "invalid_value",
                        "'dimensions' must be 384"),
                Arguments.of(
                        "unknown encoding format",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"all-MiniLM-L6-v2\",\"input\":\"hi\",\"encoding_format\":\"int8\"}",
                        400,
                        "invalid_value",
                        "encoding_format"),
                Arguments.of(
                        "unknown model",
                        "POST",
                        "/v1/embeddings",
                        "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}",
                        404,
                        "model_not_found",
                        "text-embedding-3-small"),
                Arguments.of(
                        "unknown model by id",
                        "GET",
                        "/v1/models/gpt-4",
                        null,
                        404,
                        "model_not_found",
                        "gpt-4"),
                Arguments.of(
                        "too many inputs",
                        "POST",
                        "/v1/embeddings",
                        tooManyInputs,
                        413,
                        "too_many_inputs",
                        "at most 8"),
                Arguments.of(
                        "body over the size limit",
                        "POST",
                        "/v1/embeddings",
                        hugeBody,
                        413,
                        "request_too_large",
                        "larger than"),
                Arguments.of(
                        "GET on embeddings",
                        "GET",
                        "/v1/embeddings",
                        null,
                        405,
                        "method_not_allowed",
                        "use POST"),
                Arguments.of(
                        "POST on models",
                        "POST",
                        "/v1/models",
                        "{}",
                        405,
                        "method_not_allowed",
                        "use GET"),
                Arguments.of(
                        "unknown path",
                        "GET",
                        "/v2/whatever",
                        null,
                        404,
                        "not_found",
                        "/v2/whatever"));
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @MethodSource("badRequests")
    void badRequestGetsAnOpenAiShapedErrorAndTheServerKeepsAnswering(
            String name,
            String method,
            String path,
            String body,
            int status,
            String code,
            String messagePart)
            throws Exception {
        HttpResponse<String> response =
                method.equals("GET") ? get(server, path, null) : post(server, path, body);

        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode error = MAPPER.readTree(response.body()).get("error");
        assertThat(error).as("error object in %s", response.body()).isNotNull();
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains(messagePart);
        assertThat(error.has("param")).isTrue();

        assertThat(post(server, "/v1/embeddings", embeddingsBody("still alive")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void fullQueueGets429WithRetryAfterAndLaterRequestsSucceed() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Embedder gated =
                forwarding(
                        (texts, policy) -> {
                            entered.countDown();
                            return CompletableFuture.runAsync(() -> await(release))
                                    .thenCompose(v -> model.embedAsync(texts, policy));
                        });
        try (EmbeddingServer small =
                EmbeddingServer.builder(gated)
                        .port(0)
                        .maxInputs(1)
                        .maxQueuedTexts(1)
                        .build()
                        .start()) {
            CompletableFuture<HttpResponse<String>> first =
                    http.sendAsync(
                            postRequest(small, "/v1/embeddings", embeddingsBody("first"), null),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> rejected = post(small, "/v1/embeddings", embeddingsBody("second"));

            assertThat(rejected.statusCode()).isEqualTo(429);
            assertThat(rejected.headers().firstValue("Retry-After")).hasValue("1");
            JsonNode error = MAPPER.readTree(rejected.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(error.get("type").asText()).isEqualTo("rate_limit_error");

            release.countDown();
            assertThat(first.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(post(small, "/v1/embeddings", embeddingsBody("third")).statusCode())
                    .isEqualTo(200);
        } finally {
            release.countDown();
        }
    }

    @Test
    void embedderReportingBusyGets429() throws Exception {
        Embedder busy =
                forwarding(
                        (texts, policy) ->
                                CompletableFuture.failedFuture(new EmbedderBusyException("full")));
        try (EmbeddingServer s = EmbeddingServer.builder(busy).port(0).build().start()) {
            HttpResponse<String> response = post(s, "/v1/embeddings", embeddingsBody("x"));

            assertThat(response.statusCode()).isEqualTo(429);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        }
    }

    @Test
    void unexpectedFailureGetsGeneric500WithoutInternalsAndServerKeepsAnswering() throws Exception {
        Embedder broken =
                forwarding(
                        (texts, policy) -> {
                            if (texts.get(0).equals("boom")) {
                                throw new IllegalStateException("internal detail 42");
                            }
                            return model.embedAsync(texts, policy);
                        });
        try (EmbeddingServer s = EmbeddingServer.builder(broken).port(0).build().start()) {
            HttpResponse<String> response = post(s, "/v1/embeddings", embeddingsBody("boom"));

            assertThat(response.statusCode()).isEqualTo(500);
            JsonNode error = MAPPER.readTree(response.body()).get("error");
            assertThat(error.get("type").asText()).isEqualTo("server_error");
            assertThat(response.body()).doesNotContain("internal detail 42");
            assertThat(post(s, "/v1/embeddings", embeddingsBody("fine")).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void configuredApiKeyIsRequiredOnV1PathsAndNeverEchoed() throws Exception {
        String key = "sk-test-4f9c2e7a";
        try (EmbeddingServer secured =
                EmbeddingServer.builder(model).port(0).apiKey(key).build().start()) {
            HttpResponse<String> missing =
                    http.send(
                            postRequest(secured, "/v1/embeddings", embeddingsBody("x"), null),
                            HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> wrong =
                    http.send(
                            postRequest(secured, "/v1/embeddings", embeddingsBody("x"), "sk-wrong"),
                            HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> modelsWithoutKey = get(secured, "/v1/models", null);
            HttpResponse<String> right =
                    http.send(
                            postRequest(secured, "/v1/embeddings", embeddingsBody("x"), key),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(modelsWithoutKey.statusCode()).isEqualTo(401);
            assertThat(MAPPER.readTree(wrong.body()).at("/error/code").asText())
                    .isEqualTo("invalid_api_key");
            assertThat(wrong.body()).doesNotContain(key).doesNotContain("sk-wrong");
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(get(secured, "/v1/models", key).statusCode()).isEqualTo(200);
            assertThat(get(secured, "/health", null).statusCode()).isEqualTo(200);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String embeddingsBody(String text) throws IOException {
        return MAPPER.writeValueAsString(
                java.util.Map.of("model", "all-MiniLM-L6-v2", "input", text));
    }

    private static HttpRequest postRequest(
            EmbeddingServer target, String path, String body, String bearer) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(target.baseUri().resolve(path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b.build();
    }

    private static HttpResponse<String> post(EmbeddingServer target, String path, String body)
            throws IOException, InterruptedException {
        return http.send(
                postRequest(target, path, body, null), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(EmbeddingServer target, String path, String bearer)
            throws IOException, InterruptedException {
        URI uri = target.baseUri().resolve(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).asDouble();
        }
        return v;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate was never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The shared model, with embedAsync replaced. */
    private static Embedder forwarding(
            BiFunction<List<String>, TruncationPolicy, CompletableFuture<List<Embedding>>> embed) {
        return new Embedder() {
            @Override
            public String modelId() {
                return model.modelId();
            }

            @Override
            public int dimensions() {
                return model.dimensions();
            }

            @Override
            public int maxTokens() {
                return model.maxTokens();
            }

            @Override
            public int countTokens(String text) {
                return model.countTokens(text);
            }

            @Override
            public CompletableFuture<List<Embedding>> embedAsync(
                    List<String> texts, TruncationPolicy policy) {
                return embed.apply(texts, policy);
            }
        };
    }
}
