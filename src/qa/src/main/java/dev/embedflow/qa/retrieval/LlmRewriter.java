package dev.embedflow.qa.retrieval;

import dev.embedflow.qa.llm.ChatMessage;
import dev.embedflow.qa.llm.ChatModel;
import dev.embedflow.qa.llm.LlmException;
import dev.embedflow.qa.llm.Prompt;
import dev.embedflow.qa.session.Turn;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rewrite by the LLM: one short call with the last turns and the follow-up, asking for a
 * standalone search query. When the LLM fails or answers nonsense (empty, or far longer than a
 * query), the heuristic's rewrite is used instead.
 */
public final class LlmRewriter implements QueryRewriter {

    private static final Logger LOG = LoggerFactory.getLogger(LlmRewriter.class);

    static final String INSTRUCTIONS =
            "Rewrite the user's last question as one standalone search query that can be"
                    + " understood without the conversation: name the people, accounts, orders or"
                    + " other things it refers to. Answer with the query alone, no explanation.";

    /** Turns of history the rewrite sees. */
    static final int TURNS = 3;

    private final ChatModel llm;
    private final QueryRewriter fallback;

    public LlmRewriter(ChatModel llm, QueryRewriter fallback) {
        this.llm = llm;
        this.fallback = fallback;
    }

    @Override
    public String standalone(List<Turn> history, String question) {
        if (history.isEmpty()) {
            return question;
        }
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(INSTRUCTIONS));
        for (Turn t : history.subList(Math.max(0, history.size() - TURNS), history.size())) {
            messages.add(ChatMessage.user(t.question()));
            messages.add(ChatMessage.assistant(t.answer()));
        }
        messages.add(ChatMessage.user(question));
        try {
            String rewritten =
                    llm.generate(new Prompt(messages, List.of(), question, 96, 0.0), d -> {})
                            .text()
                            .strip();
            if (rewritten.isEmpty() || rewritten.length() > 4 * question.length() + 400) {
                return fallback.standalone(history, question);
            }
            return rewritten;
        } catch (LlmException e) {
            LOG.warn(
                    "Rewriting a follow-up through the LLM failed ({}); using the heuristic",
                    e.getMessage());
            return fallback.standalone(history, question);
        }
    }
}
