package dev.embedflow.embedding.provider;

import static dev.embedflow.embedding.provider.TeiProviderTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.Outcome;
import dev.embedflow.embedding.ProviderKind;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ollama provider against a stand-in that answers as Ollama documents {@code POST /api/embed}:
 * {@code {model, input[], truncate}} -> {@code {model, embeddings, total_duration, ...}}; errors
 * {@code {"error": "..."}}: 404 for a model that is not pulled, 400 for an input over the context
 * length when truncation is off, 500 when the runner fails.
 */
class OllamaProviderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int DIMENSIONS = 6;
    private static final String MODEL = "all-minilm";

    private StubHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = StubHttpServer.start(OllamaProviderTest::ollama);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Reply ollama(StubHttpServer.Request request) {
        String model = request.body().get("model").asText();
        if (!model.equals(MODEL)) {
            return Reply.json(
                    404,
                    "{\"error\":\"model \\\"" + model + "\\\" not found, try pulling it first\"}");
        }
        List<String> input = EmbeddingStubs.texts(request.body().get("input"));
        if (input.contains("crash")) {
            return Reply.json(500, "{\"error\":\"llama runner process has terminated\"}");
        }
        if (input.stream().anyMatch(t -> t.startsWith("long"))) {
            return Reply.json(400, "{\"error\":\"the input length exceeds the context length\"}");
        }
        ObjectNode body = MAPPER.createObjectNode();
        body.put("model", MODEL);
        body.set("embeddings", EmbeddingStubs.vectors(input, DIMENSIONS));
        body.put("total_duration", 14143917);
        body.put("load_duration", 1019500);
        body.put("prompt_eval_count", 8);
        return Reply.json(200, body.toString());
    }

    private EmbeddingProvider provider(String model) {
        EmbeddingProvider provider =
                EmbeddingProviders.create(
                        EmbeddingConfig.builder(ProviderKind.OLLAMA)
                                .baseUrl(server.baseUri())
                                .model(model)
                                .build());
        provider.open();
        return provider;
    }

    @Test
    void sendsModelInputAndNoTruncationAndReadsEmbeddings() {
        try (EmbeddingProvider provider = provider(MODEL)) {
            EmbeddingResponse response =
                    provider.embed(List.of("why is the sky blue?", "grass")).join();

            assertThat(response.model()).isEqualTo(MODEL);
            assertThat(response.vectors().get(0))
                    .isEqualTo(EmbeddingStubs.vectorFor("why is the sky blue?", DIMENSIONS));
            assertThat(response.vectors().get(1))
                    .isEqualTo(EmbeddingStubs.vectorFor("grass", DIMENSIONS));
        }
        StubHttpServer.Request sent = server.requests().get(0);
        assertThat(sent.path()).isEqualTo("/api/embed");
        JsonNode body = sent.body();
        assertThat(body.get("model").asText()).isEqualTo(MODEL);
        assertThat(EmbeddingStubs.texts(body.get("input")))
                .containsExactly("why is the sky blue?", "grass");
        assertThat(body.get("truncate").booleanValue()).isFalse();
    }

    @Test
    void aModelThatIsNotPulledIsFatalAndNamed() {
        try (EmbeddingProvider provider = provider("nomic-embed-text")) {
            EmbeddingException e = failure(provider.embed(List.of("x")));

            assertThat(e.outcome()).isEqualTo(Outcome.FATAL);
            assertThat(e.getMessage())
                    .contains("ollama at " + server.baseUri() + "/api/embed")
                    .contains("(model nomic-embed-text)")
                    .contains("HTTP 404")
                    .contains("model \"nomic-embed-text\" not found, try pulling it first");
        }
    }

    @Test
    void anInputOverTheContextLengthAsksForASplitAndARunnerCrashIsRetryable() {
        try (EmbeddingProvider provider = provider(MODEL)) {
            EmbeddingException tooLong = failure(provider.embed(List.of("ok", "long one")));
            assertThat(tooLong.outcome()).isEqualTo(Outcome.SPLIT_BATCH);
            assertThat(tooLong.serviceMessage())
                    .isEqualTo("the input length exceeds the context length");

            EmbeddingException crash = failure(provider.embed(List.of("crash")));
            assertThat(crash.outcome()).isEqualTo(Outcome.RETRYABLE_SERVER);
        }
    }
}
