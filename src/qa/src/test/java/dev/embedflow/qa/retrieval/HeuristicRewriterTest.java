package dev.embedflow.qa.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.qa.session.Turn;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeuristicRewriterTest {

    private final HeuristicRewriter rewriter = new HeuristicRewriter();

    private static Turn turn(String question, List<String> entities) {
        return new Turn(question, question, "answer", List.of("id"), entities, Instant.EPOCH);
    }

    @Test
    void aFirstQuestionStaysAsItIs() {
        assertThat(rewriter.standalone(List.of(), "Which account cancelled?"))
                .isEqualTo("Which account cancelled?");
    }

    @Test
    void aFollowUpCarriesThePreviousEntitiesAndContentWords() {
        List<Turn> history =
                List.of(
                        turn("Which parcel was lost?", List.of("order-1")),
                        turn("Which account had declined payments?", List.of("acct-17", "acct-9")));

        String query = rewriter.standalone(history, "What happened next?");

        assertThat(query)
                .startsWith("What happened next?")
                .contains("acct-17", "acct-9", "account", "declined", "payments")
                .doesNotContain("order-1", "which", "had");
    }

    @Test
    void wordsAndEntitiesTheFollowUpRepeatsAreNotAddedTwice() {
        List<Turn> history = List.of(turn("Did acct-17 pay the invoice?", List.of("acct-17")));
        assertThat(rewriter.standalone(history, "When did acct-17 pay?"))
                .isEqualTo("When did acct-17 pay? invoice");
    }
}
