package dev.embedflow.embedding.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.ModelInfo;
import dev.embedflow.embedding.Outcome;
import dev.embedflow.embedding.ProviderKind;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tei provider against a stand-in that answers as Text Embeddings Inference documents: {@code
 * POST /embed {inputs, normalize, truncate}} -> {@code [[...]]}; errors {@code {error, error_type}}
 * with 413 (batch size), 422 (tokenization), 424 (backend), 429 (overloaded); {@code GET /info}.
 */
class TeiProviderTest {

    private static final int DIMENSIONS = 8;
    private static final int MAX_CLIENT_BATCH_SIZE = 4;

    private StubHttpServer server;
    private EmbeddingProvider provider;

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private EmbeddingProvider start(StubHttpServer.Handler handler) throws Exception {
        server = StubHttpServer.start(handler);
        provider =
                EmbeddingProviders.create(
                        EmbeddingConfig.builder(ProviderKind.TEI)
                                .baseUrl(server.baseUri())
                                .build());
        provider.open();
        return provider;
    }

    /** TEI's router: validation, then embeddings; "long" texts fail tokenization. */
    private static Reply tei(StubHttpServer.Request request) {
        if (request.path().equals("/info")) {
            return Reply.json(
                    200,
                    "{\"model_id\":\"BAAI/bge-small-en-v1.5\",\"model_dtype\":\"float32\","
                            + "\"max_client_batch_size\":"
                            + MAX_CLIENT_BATCH_SIZE
                            + ",\"max_input_length\":512}");
        }
        List<String> inputs = EmbeddingStubs.texts(request.body().get("inputs"));
        if (inputs.size() > MAX_CLIENT_BATCH_SIZE) {
            return Reply.json(
                    413,
                    "{\"error\":\"batch size "
                            + inputs.size()
                            + " > maximum allowed batch size "
                            + MAX_CLIENT_BATCH_SIZE
                            + "\",\"error_type\":\"validation\"}");
        }
        if (inputs.stream().anyMatch(t -> t.startsWith("long"))) {
            return Reply.json(
                    422,
                    "{\"error\":\"Input validation error: `inputs` must have less than 512"
                            + " tokens. Given: 900\",\"error_type\":\"validation\"}");
        }
        return Reply.json(200, EmbeddingStubs.vectors(inputs, DIMENSIONS).toString());
    }

    @Test
    void sendsInputsWithNormalizeAndNoTruncationAndMapsVectorsByIndex() throws Exception {
        start(TeiProviderTest::tei);

        EmbeddingResponse response = provider.embed(List.of("alpha", "beta")).join();

        assertThat(response.vectors()).hasSize(2);
        assertThat(response.vectors().get(0))
                .isEqualTo(EmbeddingStubs.vectorFor("alpha", DIMENSIONS));
        assertThat(response.vectors().get(1))
                .isEqualTo(EmbeddingStubs.vectorFor("beta", DIMENSIONS));
        StubHttpServer.Request sent = server.requests().get(0);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/embed");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Authorization")).isNull();
        JsonNode body = sent.body();
        assertThat(EmbeddingStubs.texts(body.get("inputs"))).containsExactly("alpha", "beta");
        assertThat(body.get("normalize").booleanValue()).isTrue();
        assertThat(body.get("truncate").booleanValue()).isFalse();
    }

    @Test
    void tooLargeABatchAndATokenizationErrorAskForASplitWithTeisMessage() throws Exception {
        start(TeiProviderTest::tei);

        EmbeddingException tooMany = failure(provider.embed(List.of("a", "b", "c", "d", "e")));
        assertThat(tooMany.outcome()).isEqualTo(Outcome.SPLIT_BATCH);
        assertThat(tooMany.httpStatus()).isEqualTo(413);
        assertThat(tooMany.serviceMessage())
                .isEqualTo("batch size 5 > maximum allowed batch size 4 (validation)");

        EmbeddingException tooLong = failure(provider.embed(List.of("fine", "long text")));
        assertThat(tooLong.outcome()).isEqualTo(Outcome.SPLIT_BATCH);
        assertThat(tooLong.httpStatus()).isEqualTo(422);
        assertThat(tooLong.getMessage())
                .contains("tei at " + server.baseUri() + "/embed")
                .contains("must have less than 512 tokens");
    }

    @Test
    void overloadedIsARateLimitAndABackendErrorIsRetryable() throws Exception {
        start(
                request ->
                        request.body().get("inputs").get(0).asText().equals("busy")
                                ? Reply.json(
                                        429,
                                        "{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}")
                                : Reply.json(
                                        424,
                                        "{\"error\":\"Inference failed\",\"error_type\":\"backend\"}"));

        EmbeddingException busy = failure(provider.embed(List.of("busy")));
        assertThat(busy.outcome()).isEqualTo(Outcome.RETRYABLE_RATE_LIMITED);
        assertThat(busy.retryAfter()).isEmpty();

        EmbeddingException backend = failure(provider.embed(List.of("x")));
        assertThat(backend.outcome()).isEqualTo(Outcome.RETRYABLE_SERVER);
        assertThat(backend.serviceMessage()).isEqualTo("Inference failed (backend)");
    }

    @Test
    void probeReadsTheModelIdFromInfoAndTheDimensionFromAnEmbedding() throws Exception {
        start(TeiProviderTest::tei);

        ModelInfo info = provider.probe().join();

        assertThat(info)
                .isEqualTo(new ModelInfo(ProviderKind.TEI, "BAAI/bge-small-en-v1.5", DIMENSIONS));
        assertThat(server.requests())
                .extracting(StubHttpServer.Request::path)
                .containsExactly("/info", "/embed");
    }

    static EmbeddingException failure(java.util.concurrent.CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(EmbeddingException.class);
            return (EmbeddingException) e.getCause();
        }
        throw new AssertionError("expected the request to fail");
    }
}
