package dev.embedflow.bench.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The hosted-API stand-in over real HTTP: vectors, per-request limits and both 429 dialects. */
class HostedApiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Fast, and one request per second. */
    private static HostedApiProfile tight(HostedApiProfile.Dialect dialect) {
        return new HostedApiProfile(
                "tight",
                Duration.ofMillis(1),
                Duration.ofMillis(2),
                Duration.ZERO,
                4,
                100,
                60,
                0,
                1.0,
                dialect);
    }

    @Test
    void answersVectorsDerivedFromTheTextWithUsage() throws Exception {
        try (HostedApiServer server = HostedApiServer.start(HostedApiProfile.gpu(), 8)) {
            HttpResponse<String> a =
                    post(server, "{\"model\":\"m\",\"input\":[\"alpha\",\"beta\"]}");
            HttpResponse<String> b = post(server, "{\"model\":\"m\",\"input\":\"alpha\"}");

            assertThat(a.statusCode()).isEqualTo(200);
            JsonNode first = JSON.readTree(a.body());
            JsonNode again = JSON.readTree(b.body());
            assertThat(first.at("/data/0/embedding")).isEqualTo(again.at("/data/0/embedding"));
            assertThat(first.at("/data/0/embedding")).isNotEqualTo(first.at("/data/1/embedding"));
            double norm = 0;
            for (JsonNode x : first.at("/data/0/embedding")) {
                norm += x.asDouble() * x.asDouble();
            }
            assertThat(norm).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
            assertThat(first.at("/usage/prompt_tokens").asInt()).isEqualTo(3); // 5 and 4 bytes
            assertThat(server.texts()).isEqualTo(3);
            assertThat(server.maxInFlight()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void theZeroCostProfileAnswersEachTextsOwnVectorExactlyWithoutLatencyOrLimits()
            throws Exception {
        HostedApiProfile zeroCost = HostedApiProfile.zeroCost();
        assertThat(zeroCost.limited()).isFalse();
        assertThat(zeroCost.sigma()).isZero();
        try (HostedApiServer server = HostedApiServer.start(zeroCost, 384)) {
            JsonNode answer =
                    JSON.readTree(
                            post(server, "{\"model\":\"m\",\"input\":[\"alpha\",\"beta\"]}")
                                    .body());
            for (int i = 0; i < 2; i++) {
                JsonNode embedding = answer.at("/data/" + i + "/embedding");
                float[] parsed = new float[embedding.size()];
                for (int d = 0; d < parsed.length; d++) {
                    parsed[d] = embedding.get(d).floatValue();
                }
                // The written decimals read back as the very floats derived from the text.
                assertThat(parsed).containsExactly(server.vector(i == 0 ? "alpha" : "beta"));
            }
            assertThat(answer.at("/data/0/embedding")).isNotEqualTo(answer.at("/data/1/embedding"));
        }
    }

    @Test
    void perRequestLimitsAnswer400InOpenAisShape() throws Exception {
        try (HostedApiServer server =
                HostedApiServer.start(tight(HostedApiProfile.Dialect.OPENAI), 8)) {
            HttpResponse<String> tooMany =
                    post(server, "{\"input\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}");
            HttpResponse<String> tooLong = post(server, "{\"input\":\"" + "x".repeat(1000) + "\"}");

            assertThat(tooMany.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(tooMany.body()).at("/error/message").asText())
                    .contains("maximum 4 inputs");
            assertThat(tooLong.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(tooLong.body()).at("/error/code").asText())
                    .isEqualTo("max_tokens_per_request");
            assertThat(server.rejected()).isEqualTo(2);
        }
    }

    @Test
    void openAiDialectSaysWhenWithRateLimitHeadersOnly() throws Exception {
        try (HostedApiServer server =
                HostedApiServer.start(tight(HostedApiProfile.Dialect.OPENAI), 8)) {
            assertThat(post(server, "{\"input\":\"a\"}").statusCode()).isEqualTo(200);
            HttpResponse<String> limited = post(server, "{\"input\":\"a\"}");

            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isEmpty();
            assertThat(limited.headers().firstValue("x-ratelimit-remaining-requests"))
                    .hasValue("0");
            assertThat(limited.headers().firstValue("x-ratelimit-reset-requests").orElseThrow())
                    .matches("\\d+ms|1s");
            assertThat(JSON.readTree(limited.body()).at("/error/code").asText())
                    .isEqualTo("rate_limit_exceeded");
            assertThat(server.rateLimited()).isEqualTo(1);
        }
    }

    @Test
    void aResetFillsTheQuotaForTheNextRun() throws Exception {
        try (HostedApiServer server =
                HostedApiServer.start(tight(HostedApiProfile.Dialect.OPENAI), 8)) {
            assertThat(post(server, "{\"input\":\"a\"}").statusCode()).isEqualTo(200);
            assertThat(post(server, "{\"input\":\"a\"}").statusCode()).isEqualTo(429);

            server.reset();

            assertThat(server.rateLimited()).isZero();
            assertThat(post(server, "{\"input\":\"a\"}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void azureDialectSaysWhenWithRetryAfterMs() throws Exception {
        try (HostedApiServer server =
                HostedApiServer.start(tight(HostedApiProfile.Dialect.AZURE), 8)) {
            post(server, "{\"input\":\"a\"}");
            HttpResponse<String> limited = post(server, "{\"input\":\"a\"}");

            assertThat(limited.statusCode()).isEqualTo(429);
            long ms = Long.parseLong(limited.headers().firstValue("retry-after-ms").orElseThrow());
            assertThat(ms).isBetween(1L, 1000L);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        }
    }

    @Test
    void theCeilingIsTheTighterOfRequestsAndTokens() {
        HostedApiProfile hosted = HostedApiProfile.hosted(HostedApiProfile.Dialect.OPENAI);
        // One text per request: 300 RPM = 5 texts/s. Batches of 2,048 50-token texts: 100k TPM.
        assertThat(hosted.ceilingTextsPerSecond(1, 50)).isEqualTo(5.0);
        assertThat(hosted.ceilingTextsPerSecond(2048, 50))
                .isCloseTo(33.33, org.assertj.core.api.Assertions.within(0.01));
        assertThat(hosted.sigma()).isCloseTo(0.4216, org.assertj.core.api.Assertions.within(0.001));
        assertThat(HostedApiProfile.gpu().ceilingTextsPerSecond(1, 50)).isInfinite();
    }

    private static HttpResponse<String> post(HostedApiServer server, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/v1/embeddings"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
