package dev.embedflow.qa.llm;

import dev.embedflow.chunk.TokenCounter;
import java.util.List;

/**
 * Token estimates for an LLM whose tokenizer is not at hand: 4 bytes of UTF-8 a token (about right
 * for English with the GPT and Llama tokenizers), plus a few tokens of framing per message.
 */
public final class Tokens {

    /** The estimate every budget of the service uses. */
    public static final TokenCounter COUNTER = TokenCounter.estimate(4.0);

    /** Framing a chat message costs beyond its content (role and separators). */
    public static final int PER_MESSAGE = 4;

    private Tokens() {}

    public static int estimate(String text) {
        return text == null || text.isEmpty() ? 0 : COUNTER.count(text);
    }

    public static int estimate(List<ChatMessage> messages) {
        int total = 0;
        for (ChatMessage m : messages) {
            total += PER_MESSAGE + estimate(m.content());
        }
        return total;
    }
}
