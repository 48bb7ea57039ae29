package dev.embedflow.qa.llm;

/**
 * A finished answer.
 *
 * @param text the whole answer
 * @param finishReason {@code stop}, or {@code length} when the token limit cut it
 * @param promptTokens prompt tokens (as the model reported them, or estimated)
 * @param completionTokens answer tokens (as the model reported them, or estimated)
 */
public record Generation(
        String text, String finishReason, int promptTokens, int completionTokens) {}
