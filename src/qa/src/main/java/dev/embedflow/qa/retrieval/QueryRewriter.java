package dev.embedflow.qa.retrieval;

import dev.embedflow.qa.session.Turn;
import java.util.List;

/**
 * Turns a follow-up ("and what did they do after that?") into a query that retrieves on its own,
 * from the conversation so far. A first question is returned as it is.
 */
public interface QueryRewriter {

    /** The standalone query for {@code question} after {@code history} (oldest turn first). */
    String standalone(List<Turn> history, String question);
}
