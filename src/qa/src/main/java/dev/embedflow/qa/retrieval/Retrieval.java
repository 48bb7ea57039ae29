package dev.embedflow.qa.retrieval;

import dev.embedflow.qa.llm.Passage;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What retrieval found for a question.
 *
 * @param passages the passages, numbered 1..n in rank order, duplicates dropped
 * @param hits how many hits the search returned before duplicates were dropped
 */
public record Retrieval(List<Passage> passages, int hits) {

    public Retrieval {
        passages = List.copyOf(passages);
    }

    /** The best k-NN score among the passages (the guardrail's measure of relevance). */
    public OptionalDouble bestVectorScore() {
        return passages.stream()
                .filter(p -> p.vectorScore() != null)
                .mapToDouble(Passage::vectorScore)
                .max();
    }
}
