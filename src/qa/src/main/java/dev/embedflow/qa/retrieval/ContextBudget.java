package dev.embedflow.qa.retrieval;

import dev.embedflow.qa.llm.ChatMessage;
import dev.embedflow.qa.llm.Passage;
import dev.embedflow.qa.llm.Prompt;
import dev.embedflow.qa.llm.Tokens;
import java.util.ArrayList;
import java.util.List;

/**
 * Fits a question into the LLM's context window: the answer's tokens are reserved first, then the
 * service's instructions, the application's own instructions and the question; the history gets at
 * most {@code historyTokens} (oldest messages dropped first); the passages fill what is left, in
 * rank order (one that does not fit is skipped for a shorter one below it; the first is shortened
 * rather than dropped). Passages are renumbered 1..n as they appear in the prompt, so citations
 * match. Tokens are estimated ({@link Tokens}).
 */
public final class ContextBudget {

    static final String INSTRUCTIONS =
            "You answer questions about a business from the numbered documents below, which come"
                    + " from its live event index. Use only these documents. After each statement,"
                    + " cite the document it comes from by its number in brackets, like [1] or"
                    + " [2][3]. If the documents do not answer the question, say that they do not."
                    + " Be concise.";

    /** The fewest tokens worth giving a shortened first passage. */
    static final int MIN_PASSAGE_TOKENS = 32;

    private final int contextTokens;
    private final int historyTokens;

    public ContextBudget(int contextTokens, int historyTokens) {
        if (contextTokens < 256 || historyTokens < 0) {
            throw new IllegalArgumentException(
                    "qa.llm.context-tokens must be at least 256 and qa.history.max-tokens 0 or more");
        }
        this.contextTokens = contextTokens;
        this.historyTokens = historyTokens;
    }

    public int contextTokens() {
        return contextTokens;
    }

    /**
     * The prompt for {@code question}.
     *
     * @param instructions the application's system messages (kept, after the service's own)
     * @param history earlier user and assistant messages, oldest first
     * @param question the user's question
     * @param query the standalone query the passages were retrieved for
     * @param passages the retrieved passages, best first
     * @param answerTokens tokens reserved for the answer
     * @param temperature the sampling temperature, or null
     * @throws IllegalArgumentException when the question and answer alone do not fit
     */
    public Prompt fit(
            List<ChatMessage> instructions,
            List<ChatMessage> history,
            String question,
            String query,
            List<Passage> passages,
            int answerTokens,
            Double temperature) {
        String extra =
                instructions.stream()
                        .map(ChatMessage::content)
                        .reduce((a, b) -> a + "\n" + b)
                        .map(s -> "\n\nInstructions from the application:\n" + s)
                        .orElse("");
        int fixed =
                Tokens.estimate(INSTRUCTIONS + extra + "\n\nDocuments:\n")
                        + Tokens.PER_MESSAGE
                        + Tokens.estimate(question)
                        + Tokens.PER_MESSAGE;
        int left = contextTokens - answerTokens - fixed;
        if (left < 0) {
            throw new IllegalArgumentException(
                    "the question and max_tokens ("
                            + answerTokens
                            + ") do not fit the context window of "
                            + contextTokens
                            + " tokens");
        }
        List<ChatMessage> kept = new ArrayList<>(history);
        int historyBudget = Math.min(historyTokens, left);
        while (!kept.isEmpty() && Tokens.estimate(kept) > historyBudget) {
            kept.remove(0);
        }
        // A history that starts with an answer reads as if the model asked.
        while (!kept.isEmpty() && !ChatMessage.USER.equals(kept.get(0).role())) {
            kept.remove(0);
        }
        left -= Tokens.estimate(kept);
        List<Passage> fitted = new ArrayList<>();
        StringBuilder documents = new StringBuilder();
        for (Passage p : passages) {
            Passage numbered = p.renumbered(fitted.size() + 1);
            String block = block(numbered);
            int cost = Tokens.estimate(block);
            if (cost > left && fitted.isEmpty() && left >= MIN_PASSAGE_TOKENS) {
                int overhead = Tokens.estimate(block(numbered.withText("")));
                int keep = Math.max(0, (left - overhead) * 4 - 4);
                numbered = numbered.withText(cut(numbered.text(), keep));
                block = block(numbered);
                cost = Tokens.estimate(block);
            }
            if (cost > left) {
                continue;
            }
            fitted.add(numbered);
            documents.append(block);
            left -= cost;
        }
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(INSTRUCTIONS + extra + "\n\nDocuments:\n" + documents));
        messages.addAll(kept);
        messages.add(ChatMessage.user(question));
        return new Prompt(messages, fitted, query, answerTokens, temperature);
    }

    /** A passage as the prompt shows it: number, entity and window, then its text. */
    static String block(Passage p) {
        StringBuilder b = new StringBuilder("[").append(p.number()).append(']');
        if (p.entity() != null) {
            b.append(" entity ").append(p.entity());
        }
        if (p.windowStart() != null || p.windowEnd() != null) {
            b.append(", window ").append(p.windowStart()).append(" to ").append(p.windowEnd());
        }
        return b.append('\n').append(p.text().strip()).append("\n\n").toString();
    }

    /** At most {@code bytes} bytes of UTF-8 of {@code text}, cut at a character boundary. */
    private static String cut(String text, int bytes) {
        StringBuilder out = new StringBuilder();
        int used = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + size > bytes) {
                break;
            }
            out.appendCodePoint(cp);
            used += size;
            i += Character.charCount(cp);
        }
        return out.toString();
    }
}
