package dev.embedflow.qa;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.embedflow.devserver.RedisServer;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.search.TestSearchIndex;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM path: the service in front of a stand-in OpenAI-compatible chat server over real HTTP and
 * SSE (no generative model can be installed here), with the real index, model and Redis. The
 * stand-in answers from the prompt it gets, so the test sees what the LLM was given.
 */
@ExtendWith(OpenSearchExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlmAnswerITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LLM_KEY = "sk-llm-secret-9876543210";
    private static final String REWRITE =
            "acct-17 subscription reopened after the declined payments";

    private LocalEmbeddingModel model;
    private RedisServer redis;
    private StubHttpServer llm;
    private QaApplication app;
    private final HttpClient http = HttpClient.newHttpClient();

    /** The stand-in LLM: rewrites, fails on request, or quotes its first document's first line. */
    private static Reply answer(StubHttpServer.Request request) {
        JsonNode messages = request.body().path("messages");
        String system = messages.get(0).path("content").asText();
        String question = messages.get(messages.size() - 1).path("content").asText();
        if (system.startsWith("Rewrite")) {
            return sse(REWRITE);
        }
        if (question.contains("please fail")) {
            return Reply.json(503, "{\"error\":{\"message\":\"model overloaded\"}}");
        }
        String documents = system.substring(system.indexOf("Documents:"));
        String firstText = documents.lines().skip(2).findFirst().orElse("nothing");
        return sse("According to the documents, ", firstText + " [1]");
    }

    private static Reply sse(String... deltas) {
        StringBuilder b = new StringBuilder();
        for (String d : deltas) {
            b.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":")
                    .append(TextNode.valueOf(d))
                    .append("},\"finish_reason\":null}]}\n\n");
        }
        b.append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        b.append("data: [DONE]\n\n");
        return new Reply(
                200, Map.of("Content-Type", "text/event-stream"), b.toString(), Duration.ZERO);
    }

    @BeforeAll
    void start(OpenSearchTestIndex index, @TempDir Path dir) throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        TestSearchIndex test = QaFixture.index(index, model);
        redis = RedisServer.start();
        llm = StubHttpServer.start(LlmAnswerITCase::answer);
        Path keyFile = Files.writeString(dir.resolve("llm-key"), LLM_KEY);
        Configuration conf = QaFixture.config(index, test);
        conf.set(QaOptions.REDIS_URL, redis.url());
        conf.set(QaOptions.LLM_BASE_URL, llm.baseUri() + "/v1");
        conf.set(QaOptions.LLM_MODEL, "stand-in-llm");
        conf.set(QaOptions.LLM_API_KEY_FILE, keyFile.toString());
        conf.set(QaOptions.LLM_MAX_RETRIES, 1);
        conf.set(QaOptions.LLM_BACKOFF_INITIAL, Duration.ofMillis(1));
        conf.set(QaOptions.LLM_BACKOFF_MAX, Duration.ofMillis(5));
        app = QaApplication.start(conf, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {app, llm, redis, model}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private HttpResponse<String> chat(String session, boolean stream, String question)
            throws Exception {
        String body =
                "{\"model\": \"stand-in-llm\", \"stream\": "
                        + stream
                        + ", \"messages\": [{\"role\": \"system\", \"content\": \"Answer in"
                        + " English.\"}, {\"role\": \"user\", \"content\": "
                        + TextNode.valueOf(question)
                        + "}]}";
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(app.server().baseUri() + "/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header(QaServer.SESSION_HEADER, session);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theLlmGetsNumberedPassagesAndItsAnswerStreamsThroughWithCitations() throws Exception {
        HttpResponse<String> response =
                chat(null, true, "Which parcel was delivered to the wrong address?");

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = List.of(response.body().split("\n\n"));
        JsonNode first = JSON.readTree(events.get(0).substring(6));
        JsonNode citation1 = first.path("citations").get(0);
        StringBuilder answer = new StringBuilder();
        for (String e : events.subList(1, events.size() - 1)) {
            JSON.readTree(e.substring(6))
                    .path("choices")
                    .forEach(c -> answer.append(c.path("delta").path("content").asText("")));
        }
        // The stand-in quoted the first line of document [1]: the citation the service sent first.
        assertThat(answer.toString())
                .startsWith("According to the documents, ")
                .contains(citation1.path("text").asText().lines().findFirst().orElseThrow())
                .endsWith("[1]");
        assertThat(citation1.path("id").asText()).isEqualTo("order-88@2026-03-04");

        StubHttpServer.Request sent = llm.requests().get(llm.requests().size() - 1);
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + LLM_KEY);
        JsonNode messages = sent.body().path("messages");
        assertThat(messages.get(0).path("content").asText())
                .contains("cite the document", "[1] entity order-88", "Answer in English.");
        assertThat(messages.get(messages.size() - 1).path("content").asText())
                .isEqualTo("Which parcel was delivered to the wrong address?");
        assertThat(sent.body().path("stream").asBoolean()).isTrue();
    }

    @Test
    void aFollowUpIsRewrittenByTheLlmBeforeRetrieval() throws Exception {
        String session = "llm-follow-up";
        assertThat(chat(session, false, "Whose card payment was declined?").statusCode())
                .isEqualTo(200);
        HttpResponse<String> second = chat(session, false, "And after that?");
        assertThat(second.statusCode()).isEqualTo(200);
        JsonNode citations = JSON.readTree(second.body()).path("citations");
        assertThat(citations.get(0).path("id").asText()).isEqualTo("acct-17@2026-03-10");

        HttpResponse<String> stored =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                app.server().baseUri() + "/v1/sessions/" + session))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode turns = JSON.readTree(stored.body()).path("turns");
        assertThat(turns.get(1).path("query").asText()).isEqualTo(REWRITE);
        // The history went to the LLM with the follow-up.
        StubHttpServer.Request last = llm.requests().get(llm.requests().size() - 1);
        assertThat(last.rawBody()).contains("Whose card payment was declined?", "And after that?");
    }

    @Test
    void anLlmThatKeepsFailingGets502InOpenAisShapeAndIsCounted() throws Exception {
        HttpResponse<String> response = chat(null, false, "Which shipment was late? please fail");
        assertThat(response.statusCode()).isEqualTo(502);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("llm_unavailable");
        assertThat(error.path("message").asText()).contains("503").doesNotContain(LLM_KEY);

        String metrics =
                http.send(
                                HttpRequest.newBuilder(
                                                URI.create(app.server().baseUri() + "/metrics"))
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        assertThat(metrics)
                .containsPattern("embedflow_qa_llm_errors_total\\{reason=\"server_error\"} [1-9]");
        assertThat(chat(null, false, "Which shipment was held at customs?").statusCode())
                .isEqualTo(200);
    }
}
