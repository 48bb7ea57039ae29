package dev.embedflow.qa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.embedflow.devserver.RedisServer;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.qa.llm.ExtractiveModel;
import dev.embedflow.search.TestSearchIndex;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Q&A service on real parts: a real OpenSearch with k-NN holding documents embedded by the real
 * all-MiniLM-L6-v2, sessions in a real Redis, the local extractive answerer, and openai-java (a
 * client nobody here wrote) calling the API.
 */
@ExtendWith(OpenSearchExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QaServiceITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalEmbeddingModel model;
    private RedisServer redis;
    private QaApplication app;
    private URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(OpenSearchTestIndex index) throws IOException {
        model = LocalEmbeddingModel.acquireShared();
        TestSearchIndex test = QaFixture.index(index, model);
        redis = RedisServer.start();
        Configuration conf = QaFixture.config(index, test);
        conf.set(QaOptions.REDIS_URL, redis.url());
        conf.set(QaOptions.SESSION_MAX_TURNS, 3);
        conf.set(
                QaOptions.MAX_REQUEST_SIZE,
                org.apache.flink.configuration.MemorySize.parse("16kb"));
        conf.set(QaOptions.CORS_ORIGINS, List.of("https://chat.example.com"));
        app = QaApplication.start(conf, Map.of(QaApplication.API_KEYS_ENV, QaFixture.KEYS));
        base = app.server().baseUri();
    }

    @AfterAll
    void stop() throws IOException {
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (model != null) {
            model.close();
        }
    }

    private OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(key).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams ask(String question) {
        return ChatCompletionCreateParams.builder()
                .model(ExtractiveModel.NAME)
                .addUserMessage(question)
                .build();
    }

    private static JsonNode citations(Map<String, JsonValue> additional) {
        JsonValue value = additional.get("citations");
        assertThat(value).as("a citations array").isNotNull();
        return JSON.valueToTree(value.convert(Object.class));
    }

    private static List<String> ids(JsonNode citations) {
        List<String> ids = new ArrayList<>();
        citations.forEach(c -> ids.add(c.path("id").asText()));
        return ids;
    }

    @Test
    void answersWithNumberedCitationsOfTheDocumentThatAnswers() {
        ChatCompletion completion =
                client(QaFixture.ALL_KEY)
                        .chat()
                        .completions()
                        .create(ask("Which account had its card payment declined several times?"));

        String answer = completion.choices().get(0).message().content().orElseThrow();
        JsonNode citations = citations(completion._additionalProperties());
        assertThat(ids(citations)).contains("acct-17@2026-03-02");
        // Every [n] in the answer is a citation's index, and the first cited passage is the one.
        List<Integer> markers = QaService.cited(answer, citations.size());
        assertThat(markers).isNotEmpty();
        assertThat(answer).contains("declined three times");
        JsonNode first = citations.get(markers.get(0) - 1);
        assertThat(first.path("index").asInt()).isEqualTo(markers.get(0));
        assertThat(first.path("id").asText()).isEqualTo("acct-17@2026-03-02");
        assertThat(first.path("entity").asText()).isEqualTo("acct-17");
        assertThat(first.path("text").asText()).contains("declined three times");
        assertThat(first.path("window_start").asText()).isEqualTo("2026-03-02T00:00:00Z");
        assertThat(completion.model()).isEqualTo(ExtractiveModel.NAME);
        assertThat(completion.usage().orElseThrow().completionTokens()).isPositive();
    }

    @Test
    void streamsTheCitationsFirstThenTheSameAnswer() {
        String question = "Which parcel went to the wrong address?";
        OpenAIClient client = client(QaFixture.ALL_KEY);
        String whole =
                client.chat()
                        .completions()
                        .create(ask(question))
                        .choices()
                        .get(0)
                        .message()
                        .content()
                        .orElseThrow();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(ask(question))) {
            stream.stream().forEach(chunks::add);
        }

        assertThat(chunks).hasSizeGreaterThanOrEqualTo(3);
        JsonNode citations = citations(chunks.get(0)._additionalProperties());
        assertThat(ids(citations)).contains("order-88@2026-03-04");
        StringBuilder streamed = new StringBuilder();
        chunks.forEach(
                c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
        assertThat(streamed.toString()).isEqualTo(whole).contains("wrong address");
        assertThat(chunks.get(chunks.size() - 1).choices().get(0).finishReason())
                .hasValueSatisfying(r -> assertThat(r.asString()).isEqualTo("stop"));
    }

    @Test
    void theStreamIsServerSentEventsEndingWithDone() throws Exception {
        HttpResponse<String> response =
                post(
                        "/v1/chat/completions",
                        QaFixture.ALL_KEY,
                        null,
                        "{\"model\": \"embedflow-extractive\", \"stream\": true, \"messages\":"
                                + " [{\"role\": \"user\", \"content\": \"Which shipment was held at"
                                + " customs?\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/event-stream");
        List<String> events = List.of(response.body().split("\n\n"));
        assertThat(events).allSatisfy(e -> assertThat(e).startsWith("data: "));
        assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
        JsonNode first = JSON.readTree(events.get(0).substring(6));
        assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(ids(first.path("citations"))).contains("ship-6@2026-03-03");
    }

    @Test
    void aSessionKeepsTheConversationSoAFollowUpNeedsOnlyItsNewMessage() throws Exception {
        String session = "follow-up-1";
        JsonNode first =
                chat(QaFixture.ACME_KEY, session, "Whose card payment was declined several times?");
        assertThat(ids(first.path("citations"))).contains("acct-17@2026-03-02");

        JsonNode second = chat(QaFixture.ACME_KEY, session, "Did they come back later?");
        assertThat(ids(second.path("citations"))).contains("acct-17@2026-03-10");
        assertThat(second.path("choices").path(0).path("message").path("content").asText())
                .contains("reopened the subscription");

        HttpResponse<String> stored = get("/v1/sessions/" + session, QaFixture.ACME_KEY);
        assertThat(stored.statusCode()).isEqualTo(200);
        JsonNode turns = JSON.readTree(stored.body()).path("turns");
        assertThat(turns).hasSize(2);
        assertThat(turns.get(1).path("query").asText()).contains("acct-17");
        assertThat(turns.get(1).path("cited_ids").toString()).contains("acct-17@2026-03-10");

        // Another tenant cannot read it; deleting it forgets it.
        assertThat(get("/v1/sessions/" + session, QaFixture.GLOBEX_KEY).statusCode())
                .isEqualTo(404);
        HttpResponse<String> deleted =
                http.send(
                        request("/v1/sessions/" + session, QaFixture.ACME_KEY).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(deleted.body()).path("deleted").asBoolean()).isTrue();
        assertThat(get("/v1/sessions/" + session, QaFixture.ACME_KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void aSessionKeepsOnlyItsNewestTurns() throws Exception {
        String session = "bounded-1";
        for (String q :
                List.of(
                        "Which account upgraded to premium?",
                        "Which parcel went to the wrong address?",
                        "Whose payment was declined?",
                        "Who reopened a subscription?")) {
            chat(QaFixture.ACME_KEY, session, q);
        }
        JsonNode turns =
                JSON.readTree(get("/v1/sessions/" + session, QaFixture.ACME_KEY).body())
                        .path("turns");
        assertThat(turns).hasSize(3);
        assertThat(turns.get(0).path("question").asText())
                .isEqualTo("Which parcel went to the wrong address?");
    }

    @Test
    void aTenantsFilterAppliesToEveryRetrieval() throws Exception {
        JsonNode answer = chat(QaFixture.GLOBEX_KEY, null, "Whose card payment was declined?");
        answer.path("citations")
                .forEach(
                        c ->
                                assertThat(c.path("metadata").path("tenant").asText())
                                        .isEqualTo("globex"));

        HttpResponse<String> search =
                post(
                        "/v1/search",
                        QaFixture.ACME_KEY,
                        null,
                        "{\"query\": \"shipment held at customs\", \"k\": 10}");
        assertThat(search.statusCode()).isEqualTo(200);
        JsonNode hits = JSON.readTree(search.body()).path("data");
        assertThat(hits).isNotEmpty();
        hits.forEach(h -> assertThat(h.path("metadata").path("tenant").asText()).isEqualTo("acme"));

        // Asking for another tenant's documents narrows to nothing rather than widening.
        HttpResponse<String> widened =
                post(
                        "/v1/search",
                        QaFixture.ACME_KEY,
                        null,
                        "{\"query\": \"shipment\", \"filters\": {\"tenant\": \"globex\"}}");
        assertThat(JSON.readTree(widened.body()).path("data")).isEmpty();
    }

    @Test
    void searchTakesFiltersByEntityAndATimeRange() throws Exception {
        HttpResponse<String> response =
                post(
                        "/v1/search",
                        QaFixture.ALL_KEY,
                        null,
                        "{\"query\": \"subscription\", \"k\": 5, \"by_entity\": true,"
                                + " \"since\": \"2026-03-09T00:00:00Z\", \"filters\": {\"entity\":"
                                + " [\"acct-17\", \"acct-21\"]}}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode hits = JSON.readTree(response.body()).path("data");
        assertThat(ids(hits)).containsExactly("acct-17@2026-03-10");
        assertThat(hits.get(0).path("text").asText()).contains("reopened");
    }

    @Test
    void aQuestionTheIndexCannotAnswerIsRefusedWithoutCitations() throws Exception {
        JsonNode answer =
                chat(QaFixture.ALL_KEY, null, "What is the boiling point of tungsten in kelvin?");
        assertThat(answer.path("choices").path(0).path("message").path("content").asText())
                .isEqualTo(QaService.NOTHING_FOUND);
        assertThat(answer.path("citations")).isEmpty();
        assertThat(get("/metrics", null).body())
                .containsPattern("embedflow_qa_guardrail_refusals_total [1-9]");
    }

    @Test
    void badRequestsGetOpenAiErrorsAndTheServiceKeepsServing() throws Exception {
        assertThatThrownBy(
                        () -> client("wrong-key-0123456789").chat().completions().create(ask("x")))
                .isInstanceOf(UnauthorizedException.class);
        HttpResponse<String> noKey =
                http.send(
                        HttpRequest.newBuilder(base.resolve("/v1/models")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        assertError(noKey, 401, "invalid_api_key");

        ChatCompletionCreateParams unknownModel =
                ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("hi").build();
        assertThatThrownBy(
                        () -> client(QaFixture.ALL_KEY).chat().completions().create(unknownModel))
                .isInstanceOfSatisfying(
                        NotFoundException.class,
                        e -> {
                            assertThat(e.code()).hasValue("model_not_found");
                            assertThat(e.type()).hasValue("invalid_request_error");
                        });

        assertError(post("/v1/chat/completions", QaFixture.ALL_KEY, null, "{not json"), 400, null);
        assertError(
                post(
                        "/v1/chat/completions",
                        QaFixture.ALL_KEY,
                        null,
                        "{\"model\": \"embedflow-extractive\", \"messages\": []}"),
                400,
                null);
        assertError(
                post(
                        "/v1/chat/completions",
                        QaFixture.ALL_KEY,
                        null,
                        "{\"model\": \"embedflow-extractive\", \"messages\": [{\"role\": \"user\","
                                + " \"content\": \""
                                + "x".repeat(20_000)
                                + "\"}]}"),
                413,
                "request_too_large");
        assertError(post("/v1/chat/completions", QaFixture.ALL_KEY, "bad id!", "{}"), 400, null);
        assertError(get("/v1/nothing-here", QaFixture.ALL_KEY), 404, "unknown_url");
        assertError(get("/v1/chat/completions", QaFixture.ALL_KEY), 405, "method_not_allowed");

        // Still serving.
        assertThat(chat(QaFixture.ALL_KEY, null, "Which shipment arrived late?").path("citations"))
                .isNotEmpty();
    }

    @Test
    void modelsHealthAndMetricsAnswer() throws Exception {
        JsonNode models = JSON.readTree(get("/v1/models", QaFixture.ALL_KEY).body());
        assertThat(models.path("data").path(0).path("id").asText()).isEqualTo(ExtractiveModel.NAME);

        HttpResponse<String> health = get("/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode h = JSON.readTree(health.body());
        assertThat(h.path("status").asText()).isEqualTo("ok");
        assertThat(h.path("session_store").asText()).isEqualTo("redis");

        chat(QaFixture.ALL_KEY, null, "Which account upgraded?");
        String metrics = get("/metrics", null).body();
        assertThat(metrics)
                .contains("embedflow_qa_stage_seconds_bucket{stage=\"retrieve\"")
                .contains("embedflow_qa_tokens_total{kind=\"completion\"}")
                .contains("embedflow_qa_requests_total{route=\"chat\",status=\"200\"}")
                .contains("embedflow_qa_retrieval_passages_count");
    }

    @Test
    void browsersOfTheConfiguredOriginsOnlyMayCallTheApi() throws Exception {
        assertThat(allowedOrigin("https://chat.example.com")).hasValue("https://chat.example.com");
        assertThat(allowedOrigin("https://evil.example.com")).isEmpty();
    }

    /** The Access-Control-Allow-Origin a request from a page of {@code origin} gets. */
    private java.util.Optional<String> allowedOrigin(String origin) throws Exception {
        return http.send(
                        request("/v1/models", QaFixture.ALL_KEY)
                                .header("Origin", origin)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .headers()
                .firstValue("Access-Control-Allow-Origin");
    }

    @Test
    void thePageIsServed() throws Exception {
        HttpResponse<String> page = get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("EmbedFlow Q&amp;A").contains("/app.js");
        assertThat(get("/app.js", null).body()).contains("/v1/chat/completions");
    }

    @Test
    void withoutRedisItAnswersStatelesslyAndSaysSoThenRecovers() throws Exception {
        String session = "outage-1";
        redis.stop();
        try {
            HttpResponse<String> during =
                    post(
                            "/v1/chat/completions",
                            QaFixture.ACME_KEY,
                            session,
                            body("Which account upgraded?"));
            assertThat(during.statusCode()).isEqualTo(200);
            assertThat(during.headers().firstValue(QaServer.SESSION_STORE_HEADER))
                    .hasValue("unavailable");
            assertThat(JSON.readTree(during.body()).path("citations")).isNotEmpty();
            assertThat(get("/health", null).body()).contains("\"session_store_up\":false");
        } finally {
            redis.restart();
        }
        // The pool may hand out a connection that died with the server: the next requests
        // reconnect.
        String header = null;
        for (int i = 0; i < 5 && !"redis".equals(header); i++) {
            header =
                    post(
                                    "/v1/chat/completions",
                                    QaFixture.ACME_KEY,
                                    session,
                                    body("Which account upgraded?"))
                            .headers()
                            .firstValue(QaServer.SESSION_STORE_HEADER)
                            .orElse(null);
        }
        assertThat(header).isEqualTo("redis");
        assertThat(get("/v1/sessions/" + session, QaFixture.ACME_KEY).statusCode()).isEqualTo(200);
    }

    // --- helpers ----------------------------------------------------------------------------

    private static String body(String question) {
        return "{\"model\": \"embedflow-extractive\", \"messages\": [{\"role\": \"user\","
                + " \"content\": "
                + JSON.valueToTree(question)
                + "}]}";
    }

    private JsonNode chat(String key, String session, String question) throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", key, session, body(question));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        return http.send(request(path, key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String key, String session, String body)
            throws Exception {
        HttpRequest.Builder b =
                request(path, key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header(QaServer.SESSION_HEADER, session);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> response, int status, String code)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.has("type")).isTrue();
        assertThat(error.has("param")).isTrue();
        if (code != null) {
            assertThat(error.path("code").asText()).isEqualTo(code);
        }
    }
}
