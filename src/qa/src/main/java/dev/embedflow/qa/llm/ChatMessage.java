package dev.embedflow.qa.llm;

import java.util.Objects;
import java.util.Set;

/**
 * One message of a conversation, as the Chat Completions API has it.
 *
 * @param role {@code system}, {@code user} or {@code assistant}
 * @param content the text
 */
public record ChatMessage(String role, String content) {

    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    /** The roles a request may carry (a {@code developer} message counts as a system message). */
    public static final Set<String> ROLES = Set.of(SYSTEM, USER, ASSISTANT, "developer");

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }

    /** A message that instructs rather than converses ({@code system} or {@code developer}). */
    public boolean isInstruction() {
        return SYSTEM.equals(role) || "developer".equals(role);
    }
}
