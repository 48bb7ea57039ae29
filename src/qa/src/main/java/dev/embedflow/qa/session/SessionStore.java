package dev.embedflow.qa.session;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where sessions live, scoped by tenant: a tenant never reads another's session, whatever id it
 * sends. Every method may throw {@link SessionStoreException} when the store is unreachable.
 */
public interface SessionStore extends AutoCloseable {

    /** Session ids clients may use: 1 to 128 letters, digits, '-', '_' or '.'. */
    Pattern VALID_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** The key of a tenant's session: {@code embedflow:qa:{tenant}:session:{id}}. */
    static String key(String tenant, String id) {
        return "embedflow:qa:" + tenant + ":session:" + id;
    }

    /** {@code redis} or {@code memory}: what the service reports in /health and at start-up. */
    String kind();

    /** The session, if it exists; reading it restarts its time to live. */
    Optional<Session> load(String tenant, String id);

    /** Adds a turn (creating the session), drops the oldest beyond the limit, restarts the TTL. */
    void append(String tenant, String id, Turn turn);

    /** Deletes the session; whether it existed. */
    boolean delete(String tenant, String id);

    /** Whether the store answers now. */
    boolean ping();

    @Override
    default void close() {}
}
