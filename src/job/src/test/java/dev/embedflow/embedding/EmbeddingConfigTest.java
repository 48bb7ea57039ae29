package dev.embedflow.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;

class EmbeddingConfigTest {

    @Test
    void maxTextsPerRequestDefaultsToEachProvidersDocumentedLimit() {
        assertThat(openAi().build().maxBatchSize()).isEqualTo(2048);
        assertThat(
                        EmbeddingConfig.builder(ProviderKind.TEI)
                                .baseUrl(URI.create("http://tei:8080"))
                                .build()
                                .maxBatchSize())
                .isEqualTo(32);
        assertThat(openAi().maxBatchSize(100).build().maxBatchSize()).isEqualTo(100);
    }

    @Test
    void readsEveryOptionFromAFlinkConfiguration() {
        Configuration conf = new Configuration();
        conf.setString("embedding.provider", "ollama");
        conf.setString("embedding.base-url", "http://ollama:11434/");
        conf.setString("embedding.model", "all-minilm");
        conf.setString("embedding.batch.max-texts", "16");
        conf.setString("embedding.batch.linger", "50 ms");
        conf.setString("embedding.max-in-flight", "3");
        conf.setString("embedding.retry.max-attempts", "5");
        conf.setString("embedding.rate.requests-per-second", "12.5");
        conf.setString("embedding.rate.tokens-per-minute", "100000");
        conf.setString("embedding.on-retries-exhausted", "FAIL");

        EmbeddingConfig config = EmbeddingConfig.fromConfiguration(conf);

        assertThat(config.provider()).isEqualTo(ProviderKind.OLLAMA);
        assertThat(config.baseUrl()).hasValue(URI.create("http://ollama:11434"));
        assertThat(config.model()).hasValue("all-minilm");
        assertThat(config.maxBatchSize()).isEqualTo(16);
        assertThat(config.linger()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.maxInFlight()).isEqualTo(3);
        assertThat(config.maxAttempts()).isEqualTo(5);
        assertThat(config.maxRequestsPerSecond()).hasValue(12.5);
        assertThat(config.maxTokensPerMinute()).hasValue(100_000L);
        assertThat(config.onRetriesExhausted()).isEqualTo(RetriesExhausted.FAIL);
    }

    @Test
    void aBadValueIsReportedWithItsKey() {
        Configuration conf = openAiConf();
        conf.setString("embedding.max-in-flight", "0");
        assertThatThrownBy(() -> EmbeddingConfig.fromConfiguration(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("embedding.max-in-flight");

        Configuration unparsable = openAiConf();
        unparsable.setString("embedding.batch.linger", "soon");
        assertThatThrownBy(() -> EmbeddingConfig.fromConfiguration(unparsable))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("embedding.batch.linger");

        Configuration jitter = openAiConf();
        jitter.setString("embedding.retry.backoff.jitter", "1.5");
        assertThatThrownBy(() -> EmbeddingConfig.fromConfiguration(jitter))
                .hasMessageContaining("embedding.retry.backoff.jitter");
    }

    @Test
    void aMissingRequiredSettingIsReportedWithItsKey() {
        Configuration conf = new Configuration();
        conf.setString("embedding.provider", "openai");
        conf.setString("embedding.model", "m");
        assertThatThrownBy(() -> EmbeddingConfig.fromConfiguration(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("embedding.base-url");

        Configuration none = new Configuration();
        assertThatThrownBy(() -> EmbeddingConfig.fromConfiguration(none))
                .hasMessageContaining("embedding.provider");

        Configuration unknown = new Configuration();
        unknown.setString("embedding.provider", "cohere");
        assertThatThrownBy(() -> EmbeddingConfig.fromConfiguration(unknown))
                .hasMessageContaining("embedding.provider")
                .hasMessageContaining("cohere");
    }

    @Test
    void credentialsInTheUrlAreRefused() {
        assertThatThrownBy(() -> openAi().baseUrl(URI.create("https://user:secret@api.example")))
                .hasMessageContaining("embedding.base-url")
                .hasMessageNotContaining("secret");
    }

    @Test
    void apiKeyComesFromOneOfEnvironmentOrFile() {
        assertThatThrownBy(
                        () ->
                                openAi().apiKeyFromEnv("OPENAI_API_KEY")
                                        .apiKeyFromFile(Path.of("/run/secrets/key"))
                                        .build())
                .hasMessageContaining("embedding.api-key.env")
                .hasMessageContaining("embedding.api-key.file");
    }

    @Test
    void toStringNamesWhereTheKeyIsButNotTheKey() {
        EmbeddingConfig config = openAi().apiKeyFromEnv("OPENAI_API_KEY").build();

        assertThat(config.toString())
                .contains("env:OPENAI_API_KEY")
                .contains("provider=openai")
                .contains("maxBatchSize=2048");
    }

    @Test
    void asyncTimeoutOutlastsTheRetryBudget() {
        EmbeddingConfig config = openAi().maxRetryDuration(Duration.ofMinutes(3)).build();

        assertThat(config.asyncTimeout()).isGreaterThan(Duration.ofMinutes(3));
    }

    @Test
    void asyncCapacityHoldsWhatTheTokenBudgetLetsBeInFlightNotTheBatchSize() {
        // 2,048 texts per request by count, but 16,384 tokens / 200 per text = 81 by tokens.
        EmbeddingConfig config = openAi().maxInFlight(4).build();

        assertThat(config.textsPerRequest(200)).isEqualTo(81);
        assertThat(config.asyncCapacity(200, 1)).isEqualTo(81 * 5);
        // Short texts: the batch size is the bound.
        assertThat(config.textsPerRequest(1)).isEqualTo(2048);
        // A text over the budget still goes, alone.
        assertThat(config.textsPerRequest(100_000)).isEqualTo(1);
        assertThat(config.asyncCapacity(100_000, 1)).isEqualTo(5);
    }

    @Test
    void underARateCapTheQueueDrainsWithinAQuarterOfTheRetryBudget() {
        // 120,000 tokens per minute over 2 subtasks: 1,000 tokens/s each, 5 texts/s of 200
        // tokens; a quarter of 2 minutes is 30 s: 150 texts, less than 81 * 5.
        EmbeddingConfig config =
                openAi().maxTokensPerMinute(120_000)
                        .maxRetryDuration(Duration.ofMinutes(2))
                        .build();

        assertThat(config.asyncCapacity(200, 2)).isEqualTo(150);
        // 0.1 requests/s of up to 81 texts over 1 subtask: 8.1 texts/s * 30 s = 243.
        EmbeddingConfig requests = openAi().maxRequestsPerSecond(0.1).build();
        assertThat(requests.asyncCapacity(200, 1)).isEqualTo(243);
        // Never less than one request's worth.
        EmbeddingConfig slow = openAi().maxRequestsPerSecond(0.001).build();
        assertThat(slow.asyncCapacity(200, 1)).isEqualTo(81);
    }

    @Test
    void asyncCapacityOptionWins() {
        EmbeddingConfig config =
                EmbeddingConfig.fromConfiguration(
                        Configuration.fromMap(
                                Map.of(
                                        "embedding.provider", "openai",
                                        "embedding.base-url", "https://api.example",
                                        "embedding.model", "m",
                                        "embedding.async.capacity", "37")));

        assertThat(config.asyncCapacity(200, 1)).isEqualTo(37);
    }

    private static EmbeddingConfig.Builder openAi() {
        return EmbeddingConfig.builder(ProviderKind.OPENAI)
                .baseUrl(URI.create("https://api.example"))
                .model("text-embedding-3-small");
    }

    private static Configuration openAiConf() {
        Configuration conf = new Configuration();
        conf.setString("embedding.provider", "openai");
        conf.setString("embedding.base-url", "https://api.example");
        conf.setString("embedding.model", "text-embedding-3-small");
        return conf;
    }
}
