package dev.embedflow.qa.session;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One question and its answer in a session.
 *
 * @param question the user's message as asked
 * @param query the standalone query it was retrieved with (the question, or its rewrite)
 * @param answer the answer
 * @param citedIds the ids of the documents the answer cited ({@code [n]} markers)
 * @param citedEntities the entities of those documents (for the next follow-up)
 * @param at when the answer was given
 */
public record Turn(
        String question,
        String query,
        String answer,
        List<String> citedIds,
        List<String> citedEntities,
        Instant at) {

    public Turn {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(answer, "answer");
        citedIds = List.copyOf(citedIds);
        citedEntities = List.copyOf(citedEntities);
        Objects.requireNonNull(at, "at");
    }
}
