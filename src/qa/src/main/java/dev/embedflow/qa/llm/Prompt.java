package dev.embedflow.qa.llm;

import java.util.List;
import java.util.Objects;

/**
 * What an answerer is given: the conversation (the service's instructions with the numbered
 * passages first, then the history and the question), the passages themselves, the standalone query
 * the passages were retrieved for, and the caller's sampling settings.
 *
 * @param messages the messages to send, last one the user's question
 * @param passages the numbered passages, as in the instructions
 * @param query the standalone query (the question, or its rewrite)
 * @param maxTokens the most tokens the answer may have
 * @param temperature the sampling temperature, or null for the model's default
 */
public record Prompt(
        List<ChatMessage> messages,
        List<Passage> passages,
        String query,
        int maxTokens,
        Double temperature) {

    public Prompt {
        messages = List.copyOf(messages);
        passages = List.copyOf(passages);
        Objects.requireNonNull(query, "query");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a prompt needs at least one message");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
    }
}
