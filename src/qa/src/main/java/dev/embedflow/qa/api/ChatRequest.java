package dev.embedflow.qa.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.qa.llm.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /v1/chat/completions} body, validated: {@code model}, {@code messages} (roles
 * system, developer, user, assistant; content a string or text parts), {@code stream}, {@code
 * temperature} (0 to 2), {@code max_tokens} (or {@code max_completion_tokens}). Other fields of
 * OpenAI's API are accepted and ignored, except {@code n} other than 1.
 *
 * @param model the model asked for
 * @param messages the messages, the last one the user's question
 * @param stream whether to answer with server-sent events
 * @param temperature the temperature, or null
 * @param maxTokens the most answer tokens, or null for the service's default
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        boolean stream,
        Double temperature,
        Integer maxTokens) {

    /** The question: the content of the last message (a user message). */
    public String question() {
        return messages.get(messages.size() - 1).content();
    }

    /** The application's instructions: the system and developer messages. */
    public List<ChatMessage> instructions() {
        return messages.stream().filter(ChatMessage::isInstruction).toList();
    }

    /** The user and assistant messages before the question, oldest first. */
    public List<ChatMessage> history() {
        List<ChatMessage> conversation = messages.stream().filter(m -> !m.isInstruction()).toList();
        return conversation.subList(0, conversation.size() - 1);
    }

    /**
     * Parses and validates {@code body}.
     *
     * @throws ApiException 400 naming the offending parameter
     */
    public static ChatRequest parse(JsonNode body, int maxMessages) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "The body must be a JSON object.");
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw ApiException.invalid("model", "You must provide a model parameter.");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid(
                    "messages", "'messages' must be a non-empty array of messages.");
        }
        if (messages.size() > maxMessages) {
            throw ApiException.invalid(
                    "messages",
                    "'messages' has "
                            + messages.size()
                            + " messages; at most "
                            + maxMessages
                            + " are accepted.");
        }
        List<ChatMessage> parsed = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            parsed.add(message(messages.get(i), "messages[" + i + "]"));
        }
        ChatMessage last = parsed.get(parsed.size() - 1);
        if (!ChatMessage.USER.equals(last.role()) || last.content().isBlank()) {
            throw ApiException.invalid(
                    "messages",
                    "The last message must be a non-empty user message (the question).");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw ApiException.invalid("stream", "'stream' must be a boolean.");
        }
        Double temperature = null;
        JsonNode t = body.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
                throw ApiException.invalid(
                        "temperature", "'temperature' must be a number from 0 to 2.");
            }
            temperature = t.asDouble();
        }
        Integer maxTokens = null;
        for (String name : List.of("max_tokens", "max_completion_tokens")) {
            JsonNode m = body.get(name);
            if (m != null && !m.isNull()) {
                if (!m.canConvertToInt() || !m.isIntegralNumber() || m.asInt() < 1) {
                    throw ApiException.invalid(name, "'" + name + "' must be a positive integer.");
                }
                maxTokens = m.asInt();
            }
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && n.asInt(-1) != 1) {
            throw ApiException.invalid("n", "Only one choice (n = 1) is supported.");
        }
        return new ChatRequest(
                model.asText(),
                parsed,
                stream != null && stream.asBoolean(false),
                temperature,
                maxTokens);
    }

    private static ChatMessage message(JsonNode node, String where) {
        if (!node.isObject()) {
            throw ApiException.invalid(where, where + " must be an object.");
        }
        String role = node.path("role").asText("");
        if (!ChatMessage.ROLES.contains(role)) {
            throw ApiException.invalid(
                    where + ".role",
                    where
                            + ".role must be one of system, developer, user, assistant; was '"
                            + cut(role)
                            + "'.");
        }
        JsonNode content = node.get("content");
        String text;
        if (content == null || content.isNull()) {
            text = "";
        } else if (content.isTextual()) {
            text = content.asText();
        } else if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw ApiException.invalid(
                            where + ".content",
                            "Only text content parts are supported; "
                                    + where
                                    + " has a part of type '"
                                    + cut(part.path("type").asText())
                                    + "'.");
                }
                b.append(b.length() == 0 ? "" : "\n").append(part.path("text").asText(""));
            }
            text = b.toString();
        } else {
            throw ApiException.invalid(
                    where + ".content", where + ".content must be a string or text parts.");
        }
        return new ChatMessage("developer".equals(role) ? ChatMessage.SYSTEM : role, text);
    }

    private static String cut(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
