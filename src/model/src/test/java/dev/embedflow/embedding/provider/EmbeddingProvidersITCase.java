package dev.embedflow.embedding.provider;

import static dev.embedflow.embedding.provider.TeiProviderTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.devserver.FreePorts;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.ModelInfo;
import dev.embedflow.embedding.Outcome;
import dev.embedflow.embedding.ProviderKind;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The openai provider against our real OpenAI-compatible server (serve-embeddings) over the real
 * model, and the local provider over the same model in-process.
 */
class EmbeddingProvidersITCase {

    private static final String KEY = "sk-embedflow-test-0123456789abcdef";
    private static final String MODEL = LocalEmbeddingModel.MODEL_ID;
    private static final int MAX_INPUTS = 4;

    private static LocalEmbeddingModel model;
    private static EmbeddingServer server;

    @TempDir static Path dir;

    @BeforeAll
    static void start() throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        server =
                EmbeddingServer.builder(model)
                        .port(0)
                        .apiKey(KEY)
                        .maxInputs(MAX_INPUTS)
                        .build()
                        .start();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static EmbeddingConfig.Builder openAi(String key) throws Exception {
        Path file = Files.createTempFile(dir, "key", ".txt");
        Files.writeString(file, key + "\n");
        return EmbeddingConfig.builder(ProviderKind.OPENAI)
                .baseUrl(server.baseUri())
                .model(MODEL)
                .apiKeyFromFile(file);
    }

    private static EmbeddingProvider open(EmbeddingConfig config) {
        EmbeddingProvider provider = EmbeddingProviders.create(config);
        provider.open();
        return provider;
    }

    @Test
    void openAiVectorsEqualTheLocalModels() throws Exception {
        List<String> texts = List.of("A man is eating food.", "A cheetah chases prey.", "Ein Haus");
        try (EmbeddingProvider provider = open(openAi(KEY).dimensions(384).build())) {
            EmbeddingResponse response = provider.embed(texts).join();

            assertThat(response.model()).isEqualTo(MODEL);
            assertThat(response.vectors()).hasSize(3);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(
                                maxAbsDiff(
                                        response.vectors().get(i),
                                        model.embed(texts.get(i)).vector()))
                        .isLessThan(1e-6);
            }
        }
    }

    @Test
    void aWrongKeyIsFatalNamingProviderUrlAndModelButNotTheKey() throws Exception {
        String wrongKey = "sk-wrong-key-that-must-not-leak-42";
        EmbeddingConfig config = openAi(wrongKey).build();
        try (EmbeddingProvider provider = open(config)) {
            EmbeddingException e = failure(provider.embed(List.of("hello")));

            assertThat(e.outcome()).isEqualTo(Outcome.FATAL);
            assertThat(e.httpStatus()).isEqualTo(401);
            assertThat(e.getMessage())
                    .contains("openai")
                    .contains(server.baseUri() + "/v1/embeddings")
                    .contains("model " + MODEL)
                    .contains("check the API key in file")
                    .doesNotContain(wrongKey)
                    .doesNotContain(KEY);
            assertThat(String.valueOf(e.getCause())).doesNotContain(wrongKey);
            assertThat(provider.toString()).doesNotContain(wrongKey);
            assertThat(config.toString()).doesNotContain(wrongKey).contains("file:");
        }
        assertThatThrownBy(() -> EmbeddingProviders.probe(config, Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start-up probe")
                .hasMessageContaining("HTTP 401")
                .hasMessageNotContaining(wrongKey);
    }

    @Test
    void anUnknownModelIsFatal() throws Exception {
        try (EmbeddingProvider provider =
                open(openAi(KEY).model("text-embedding-3-large").build())) {
            EmbeddingException e = failure(provider.embed(List.of("hello")));

            assertThat(e.outcome()).isEqualTo(Outcome.FATAL);
            assertThat(e.httpStatus()).isEqualTo(404);
            assertThat(e.getMessage())
                    .contains("model text-embedding-3-large")
                    .contains("does not exist");
        }
    }

    @Test
    void tooManyInputsAndATextOverTheTokenLimitAskForASplit() throws Exception {
        try (EmbeddingProvider provider = open(openAi(KEY).build())) {
            EmbeddingException tooMany = failure(provider.embed(List.of("a", "b", "c", "d", "e")));
            assertThat(tooMany.outcome()).isEqualTo(Outcome.SPLIT_BATCH);
            assertThat(tooMany.httpStatus()).isEqualTo(413);

            EmbeddingException tooLong =
                    failure(provider.embed(List.of("short", "word ".repeat(400))));
            assertThat(tooLong.outcome()).isEqualTo(Outcome.SPLIT_BATCH);
            assertThat(tooLong.serviceMessage()).contains("input[1]").contains("tokens");
        }
    }

    @Test
    void probeLearnsModelAndDimension() throws Exception {
        ModelInfo info = EmbeddingProviders.probe(openAi(KEY).build(), Duration.ofSeconds(30));

        assertThat(info).isEqualTo(new ModelInfo(ProviderKind.OPENAI, MODEL, 384));
    }

    @Test
    void probeOfAnUnreachableServiceFailsClearly() {
        URI nowhere = URI.create("http://127.0.0.1:" + FreePorts.pickOne());
        EmbeddingConfig config =
                EmbeddingConfig.builder(ProviderKind.OPENAI)
                        .baseUrl(nowhere)
                        .model(MODEL)
                        .connectTimeout(Duration.ofSeconds(2))
                        .build();

        assertThatThrownBy(() -> EmbeddingProviders.probe(config, Duration.ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("openai at " + nowhere + "/v1/embeddings")
                .hasMessageContaining("model " + MODEL);
    }

    @Test
    void probeRefusesADimensionOtherThanConfigured() throws Exception {
        // the server refuses a 'dimensions' it cannot serve: the probe stops the job
        assertThatThrownBy(
                        () ->
                                EmbeddingProviders.probe(
                                        openAi(KEY).dimensions(256).build(),
                                        Duration.ofSeconds(30)))
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("'dimensions' must be 384");
    }

    @Test
    void localProviderEmbedsInProcessAndSplitsOnTextsOverTheLimit() {
        EmbeddingConfig config = EmbeddingConfig.builder(ProviderKind.LOCAL).build();
        try (EmbeddingProvider provider = open(config)) {
            EmbeddingResponse response = provider.embed(List.of("A man is eating food.")).join();
            assertThat(
                            maxAbsDiff(
                                    response.vectors().get(0),
                                    model.embed("A man is eating food.").vector()))
                    .isLessThan(1e-6);
            assertThat(provider.probe().join())
                    .isEqualTo(new ModelInfo(ProviderKind.LOCAL, MODEL, 384));

            EmbeddingException tooLong = failure(provider.embed(List.of("word ".repeat(400))));
            assertThat(tooLong.outcome()).isEqualTo(Outcome.SPLIT_BATCH);
        }
        assertThatThrownBy(
                        () ->
                                open(
                                        EmbeddingConfig.builder(ProviderKind.LOCAL)
                                                .model("bge-m3")
                                                .build()))
                .hasMessageContaining("bge-m3");
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
