package dev.embedflow.qa.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.model.LocalEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The extractive answerer with the real all-MiniLM-L6-v2. */
class ExtractiveModelTest {

    private static LocalEmbeddingModel model;

    @BeforeAll
    static void load() {
        model = LocalEmbeddingModel.acquireShared();
    }

    @AfterAll
    static void release() {
        model.close();
    }

    private static Passage passage(int n, String text) {
        return new Passage(n, "d" + n, "e" + n, null, null, text, 1, 0.8, Map.of());
    }

    private static Prompt prompt(String question, List<Passage> passages, int maxTokens) {
        return new Prompt(List.of(ChatMessage.user(question)), passages, question, maxTokens, null);
    }

    @Test
    void quotesTheMostSimilarSentencesVerbatimWithTheirPassageNumber() {
        List<Passage> passages =
                List.of(
                        passage(
                                1,
                                "The store opened at nine. The espresso machine broke down at noon"
                                        + " and was repaired by three."),
                        passage(
                                2,
                                "A customer paid 12 EUR for two sandwiches.\nThe weather was mild."));
        List<String> deltas = new ArrayList<>();

        Generation g =
                new ExtractiveModel(model, 1)
                        .generate(
                                prompt("When did the coffee machine stop working?", passages, 100),
                                deltas::add);

        assertThat(g.text())
                .isEqualTo(
                        "The espresso machine broke down at noon and was repaired by three. [1]");
        assertThat(deltas).containsExactly(g.text());
        assertThat(g.finishReason()).isEqualTo("stop");
    }

    @Test
    void splitsLinesAndSentencesAndSkipsFragments() {
        List<ExtractiveModel.Sentence> sentences =
                ExtractiveModel.sentences(
                        List.of(passage(3, "- a\nFirst line. Second sentence!\n\n- ok: fine")));
        assertThat(sentences)
                .extracting(ExtractiveModel.Sentence::text)
                .containsExactly("First line.", "Second sentence!", "- ok: fine");
        assertThat(sentences).allSatisfy(s -> assertThat(s.passage()).isEqualTo(3));
    }

    @Test
    void stopsAtTheTokenLimit() {
        List<Passage> passages =
                List.of(
                        passage(
                                1,
                                "Alpha beta gamma delta. "
                                        + "Epsilon zeta eta theta iota kappa. ".repeat(3)));
        Generation g =
                new ExtractiveModel(model, 5).generate(prompt("alpha", passages, 8), d -> {});
        assertThat(g.finishReason()).isEqualTo("length");
        assertThat(g.text()).doesNotContain("\n");
    }
}
