package dev.embedflow.qa.session;

import java.util.List;

/**
 * A conversation: its turns, oldest first (at most {@code qa.session.max-turns}).
 *
 * @param id the client's session id ({@code X-Session-Id})
 * @param turns the turns, oldest first
 */
public record Session(String id, List<Turn> turns) {

    public Session {
        turns = List.copyOf(turns);
    }

    /** A session without turns. */
    public static Session empty(String id) {
        return new Session(id, List.of());
    }
}
