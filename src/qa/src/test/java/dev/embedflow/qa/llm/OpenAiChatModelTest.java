package dev.embedflow.qa.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.opensearch.SecretSource;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM client against a stand-in OpenAI-compatible server over real HTTP (the only way to see
 * 429s, 5xx and silences): streaming, retries that honour Retry-After, no retry once the answer has
 * started, and a key that never leaks. Waits between retries are recorded, not slept.
 */
class OpenAiChatModelTest {

    private static final String KEY = "sk-test-secret-0123456789";

    @TempDir Path dir;

    private final List<Duration> waits = new ArrayList<>();

    static String sse(String... events) {
        StringBuilder b = new StringBuilder();
        for (String e : events) {
            b.append("data: ").append(e).append("\n\n");
        }
        return b.toString();
    }

    static String delta(String text) {
        return "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + com.fasterxml.jackson.databind.node.TextNode.valueOf(text)
                + "},\"finish_reason\":null}]}";
    }

    static final String STOP =
            "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},"
                    + "\"finish_reason\":\"stop\"}]}";

    static final String USAGE =
            "{\"object\":\"chat.completion.chunk\",\"choices\":[],"
                    + "\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":7,\"total_tokens\":49}}";

    static Reply stream(String body) {
        return new Reply(200, Map.of("Content-Type", "text/event-stream"), body, Duration.ZERO);
    }

    private OpenAiChatModel model(StubHttpServer server) throws IOException {
        Path keyFile = Files.writeString(dir.resolve("key"), KEY + "\n");
        return OpenAiChatModel.builder()
                .baseUrl(server.baseUri().resolve("/v1"))
                .model("stand-in")
                .apiKey(SecretSource.file(keyFile))
                .idleTimeout(Duration.ofSeconds(2))
                .maxRetries(2)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(10))
                .sleeper(waits::add)
                .build();
    }

    private static Prompt prompt() {
        return new Prompt(
                List.of(ChatMessage.system("Documents: [1] a"), ChatMessage.user("what?")),
                List.of(),
                "what?",
                64,
                0.2);
    }

    @Test
    void streamsTheAnswerChunkByChunkAndSendsTheRequestAsOpenAiDoes() throws Exception {
        try (StubHttpServer server =
                        StubHttpServer.start(
                                r ->
                                        stream(
                                                sse(
                                                        delta("Acct-17 "),
                                                        delta("cancelled [1]."),
                                                        STOP,
                                                        USAGE,
                                                        "[DONE]")));
                OpenAiChatModel llm = model(server)) {
            List<String> deltas = new ArrayList<>();
            Generation g = llm.generate(prompt(), deltas::add);

            assertThat(deltas).containsExactly("Acct-17 ", "cancelled [1].");
            assertThat(g.text()).isEqualTo("Acct-17 cancelled [1].");
            assertThat(g.finishReason()).isEqualTo("stop");
            assertThat(g.promptTokens()).isEqualTo(42);
            assertThat(g.completionTokens()).isEqualTo(7);
            StubHttpServer.Request request = server.requests().get(0);
            assertThat(request.path()).isEqualTo("/v1/chat/completions");
            assertThat(request.header("Authorization")).isEqualTo("Bearer " + KEY);
            assertThat(request.body().path("model").asText()).isEqualTo("stand-in");
            assertThat(request.body().path("stream").asBoolean()).isTrue();
            assertThat(request.body().path("max_tokens").asInt()).isEqualTo(64);
            assertThat(request.body().path("temperature").asDouble()).isEqualTo(0.2);
            assertThat(request.body().path("messages").get(1).path("content").asText())
                    .isEqualTo("what?");
        }
    }

    @Test
    void aServerThatIgnoresStreamingStillAnswers() throws Exception {
        String completion =
                "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\"All at once [1].\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4}}";
        try (StubHttpServer server = StubHttpServer.start(r -> Reply.json(200, completion));
                OpenAiChatModel llm = model(server)) {
            assertThat(llm.generate(prompt(), d -> {}).text()).isEqualTo("All at once [1].");
        }
    }

    @Test
    void retriesRateLimitsWaitingAtLeastWhatRetryAfterAsks() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (StubHttpServer server =
                        StubHttpServer.start(
                                r ->
                                        switch (calls.incrementAndGet()) {
                                            case 1 ->
                                                    Reply.json(
                                                                    429,
                                                                    "{\"error\":{\"message\":\"slow down\"}}")
                                                            .withHeader("Retry-After", "7");
                                            case 2 ->
                                                    Reply.json(
                                                                    503,
                                                                    "{\"error\":{\"message\":\"busy\"}}")
                                                            .withHeader("retry-after-ms", "1500");
                                            default -> stream(sse(delta("ok [1]"), STOP, "[DONE]"));
                                        });
                OpenAiChatModel llm = model(server)) {
            assertThat(llm.generate(prompt(), d -> {}).text()).isEqualTo("ok [1]");
        }
        assertThat(calls).hasValue(3);
        assertThat(waits).hasSize(2);
        assertThat(waits.get(0)).isGreaterThanOrEqualTo(Duration.ofSeconds(7));
        assertThat(waits.get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void openAisRateLimitHeadersSayHowLongToWaitWithoutRetryAfter() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (StubHttpServer server =
                        StubHttpServer.start(
                                r ->
                                        calls.incrementAndGet() == 1
                                                ? Reply.json(
                                                                429,
                                                                "{\"error\":{\"message\":\"TPM\"}}")
                                                        .withHeader(
                                                                "x-ratelimit-remaining-tokens", "0")
                                                        .withHeader(
                                                                "x-ratelimit-reset-tokens", "4.5s")
                                                : stream(sse(delta("ok [1]"), STOP, "[DONE]")));
                OpenAiChatModel llm = model(server)) {
            assertThat(llm.generate(prompt(), d -> {}).text()).isEqualTo("ok [1]");
        }
        assertThat(waits).hasSize(1);
        assertThat(waits.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(4500));
    }

    @Test
    void givesUpAfterItsRetriesNamingTheStatus() throws Exception {
        try (StubHttpServer server =
                        StubHttpServer.start(
                                r -> Reply.json(500, "{\"error\":{\"message\":\"boom\"}}"));
                OpenAiChatModel llm = model(server)) {
            assertThatThrownBy(() -> llm.generate(prompt(), d -> {}))
                    .isInstanceOfSatisfying(
                            LlmException.class,
                            e -> {
                                assertThat(e.reason()).isEqualTo(LlmException.Reason.SERVER_ERROR);
                                assertThat(e.getMessage())
                                        .contains("HTTP 500", "boom", "3 attempts");
                            });
            assertThat(server.requests()).hasSize(3);
        }
    }

    @Test
    void aRefusedKeyFailsAtOnceAndIsNeverEchoed() throws Exception {
        try (StubHttpServer server =
                        StubHttpServer.start(
                                r ->
                                        Reply.json(
                                                401,
                                                "{\"error\":{\"message\":\"Incorrect API key provided: "
                                                        + KEY
                                                        + "\"}}"));
                OpenAiChatModel llm = model(server)) {
            assertThatThrownBy(() -> llm.generate(prompt(), d -> {}))
                    .isInstanceOfSatisfying(
                            LlmException.class,
                            e -> {
                                assertThat(e.reason()).isEqualTo(LlmException.Reason.REJECTED);
                                assertThat(e.getMessage()).contains("401").doesNotContain(KEY);
                            });
            assertThat(server.requests()).hasSize(1);
            assertThat(llm.toString()).doesNotContain(KEY);
        }
    }

    @Test
    void anAnswerThatBrokeOffIsNotRetried() throws Exception {
        try (StubHttpServer server =
                        StubHttpServer.start(
                                r ->
                                        stream(
                                                sse(
                                                        delta("half an "),
                                                        "{\"error\":{\"message\":\"overloaded\"}}")));
                OpenAiChatModel llm = model(server)) {
            List<String> deltas = new ArrayList<>();
            assertThatThrownBy(() -> llm.generate(prompt(), deltas::add))
                    .isInstanceOfSatisfying(
                            LlmException.class, e -> assertThat(e.partial()).isTrue());
            assertThat(deltas).containsExactly("half an ");
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void aSilentServerTimesOutAndIsRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (StubHttpServer server =
                        StubHttpServer.start(
                                r ->
                                        calls.incrementAndGet() == 1
                                                ? stream(sse(delta("late")))
                                                        .after(Duration.ofSeconds(30))
                                                : stream(
                                                        sse(
                                                                delta("on time [1]"),
                                                                STOP,
                                                                "[DONE]")));
                OpenAiChatModel llm = model(server)) {
            assertThat(llm.generate(prompt(), d -> {}).text()).isEqualTo("on time [1]");
            assertThat(calls).hasValue(2);
        }
    }
}
