package dev.embedflow.qa.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.qa.llm.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChatRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ChatRequest parse(String json) throws Exception {
        return ChatRequest.parse(JSON.readTree(json), 8);
    }

    @Test
    void readsOpenAisRequestWithTextPartsAndDeveloperMessages() throws Exception {
        ChatRequest r =
                parse(
                        "{\"model\": \"m\", \"stream\": true, \"temperature\": 0.5,"
                                + " \"max_completion_tokens\": 100, \"user\": \"ignored\","
                                + " \"messages\": ["
                                + "{\"role\": \"developer\", \"content\": \"Be brief.\"},"
                                + "{\"role\": \"user\", \"content\": \"first\"},"
                                + "{\"role\": \"assistant\", \"content\": \"answer\"},"
                                + "{\"role\": \"user\", \"content\": [{\"type\": \"text\","
                                + " \"text\": \"second\"}, {\"type\": \"text\", \"text\": \"part\"}]}]}");

        assertThat(r.model()).isEqualTo("m");
        assertThat(r.stream()).isTrue();
        assertThat(r.temperature()).isEqualTo(0.5);
        assertThat(r.maxTokens()).isEqualTo(100);
        assertThat(r.question()).isEqualTo("second\npart");
        assertThat(r.instructions()).containsExactly(ChatMessage.system("Be brief."));
        assertThat(r.history())
                .containsExactly(ChatMessage.user("first"), ChatMessage.assistant("answer"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}|model",
                "{\"model\": \"m\", \"messages\": []}|messages",
                "{\"model\": \"m\", \"messages\": [{\"role\": \"assistant\", \"content\": \"a\"}]}|messages",
                "{\"model\": \"m\", \"messages\": [{\"role\": \"robot\", \"content\": \"a\"}]}|messages[0].role",
                "{\"model\": \"m\", \"temperature\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}|temperature",
                "{\"model\": \"m\", \"max_tokens\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}|max_tokens",
                "{\"model\": \"m\", \"n\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}|n",
                "{\"model\": \"m\", \"stream\": \"yes\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}|stream",
                "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}|messages[0].content"
            })
    void refusesWhatItCannotAnswerNamingTheParameter(String json, String param) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> {
                            assertThat(e.status()).isEqualTo(400);
                            assertThat(e.param()).isEqualTo(param);
                            assertThat(e.type()).isEqualTo("invalid_request_error");
                        });
    }

    @Test
    void refusesMoreMessagesThanTheLimit() {
        StringBuilder messages = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            messages.append(i == 0 ? "" : ",").append("{\"role\": \"user\", \"content\": \"q\"}");
        }
        assertThatThrownBy(() -> parse("{\"model\": \"m\", \"messages\": [" + messages + "]}"))
                .hasMessageContaining("at most 8");
    }
}
