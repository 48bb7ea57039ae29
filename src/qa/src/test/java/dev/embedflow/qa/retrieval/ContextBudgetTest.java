package dev.embedflow.qa.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.qa.llm.ChatMessage;
import dev.embedflow.qa.llm.Passage;
import dev.embedflow.qa.llm.Prompt;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextBudgetTest {

    private static Passage passage(int n, String text) {
        return new Passage(n, "doc-" + n, "e-" + n, null, null, text, 1.0 / n, 0.8, Map.of());
    }

    @Test
    void passagesFillWhatIsLeftInRankOrderAndAreRenumberedAsShown() {
        ContextBudget budget = new ContextBudget(1_000, 100);
        List<Passage> passages =
                List.of(
                        passage(1, "short one"),
                        passage(2, "x".repeat(8_000)), // about 2,000 tokens: cannot fit
                        passage(3, "short three"));

        Prompt prompt = budget.fit(List.of(), List.of(), "q?", "q?", passages, 200, null);

        assertThat(prompt.passages()).extracting(Passage::id).containsExactly("doc-1", "doc-3");
        assertThat(prompt.passages()).extracting(Passage::number).containsExactly(1, 2);
        String system = prompt.messages().get(0).content();
        assertThat(system).contains("[1] entity e-1\nshort one", "[2] entity e-3\nshort three");
        assertThat(prompt.messages().get(prompt.messages().size() - 1))
                .isEqualTo(ChatMessage.user("q?"));
    }

    @Test
    void aFirstPassageTooLongForTheWindowIsShortenedNotDropped() {
        ContextBudget budget = new ContextBudget(600, 0);
        Prompt prompt =
                budget.fit(
                        List.of(),
                        List.of(),
                        "q?",
                        "q?",
                        List.of(passage(1, "y".repeat(8_000))),
                        200,
                        null);
        assertThat(prompt.passages()).hasSize(1);
        assertThat(prompt.passages().get(0).text().length()).isBetween(100, 2_000);
    }

    @Test
    void historyKeepsItsNewestMessagesWithinItsShareAndStartsWithTheUser() {
        ContextBudget budget = new ContextBudget(4_000, 30);
        List<ChatMessage> history =
                List.of(
                        ChatMessage.user("old question " + "z".repeat(200)),
                        ChatMessage.assistant("old answer"),
                        ChatMessage.user("recent question"),
                        ChatMessage.assistant("recent answer"));

        Prompt prompt =
                budget.fit(
                        List.of(ChatMessage.system("Be brief.")),
                        history,
                        "q?",
                        "q?",
                        List.of(),
                        100,
                        0.0);

        assertThat(prompt.messages())
                .containsSubsequence(
                        ChatMessage.user("recent question"),
                        ChatMessage.assistant("recent answer"),
                        ChatMessage.user("q?"))
                .doesNotContain(ChatMessage.assistant("old answer"));
        assertThat(prompt.messages().get(0).content())
                .contains("Instructions from the application:\nBe brief.");
    }

    @Test
    void anAnswerLargerThanTheWindowIsRefused() {
        ContextBudget budget = new ContextBudget(512, 0);
        assertThatThrownBy(() -> budget.fit(List.of(), List.of(), "q?", "q?", List.of(), 600, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_tokens (600)");
    }
}
