package dev.embedflow.qa.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Sessions in this process's memory, for a service without Redis: lost on restart, not shared
 * between replicas (the service says so when it starts). The same sliding TTL and turn limit as
 * Redis, and at most {@code maxSessions} sessions (the least recently used go first).
 */
public final class InMemorySessionStore implements SessionStore {

    private record Entry(List<Turn> turns, Instant expires) {}

    private final Clock clock;
    private final Duration ttl;
    private final int maxTurns;
    private final int maxSessions;
    private final LinkedHashMap<String, Entry> sessions = new LinkedHashMap<>(16, 0.75f, true);

    public InMemorySessionStore(Clock clock, Duration ttl, int maxTurns, int maxSessions) {
        this.clock = clock;
        this.ttl = ttl;
        this.maxTurns = maxTurns;
        this.maxSessions = maxSessions;
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public synchronized Optional<Session> load(String tenant, String id) {
        expire();
        String key = SessionStore.key(tenant, id);
        Entry entry = sessions.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        sessions.put(key, new Entry(entry.turns(), clock.instant().plus(ttl)));
        return Optional.of(new Session(id, entry.turns()));
    }

    @Override
    public synchronized void append(String tenant, String id, Turn turn) {
        expire();
        String key = SessionStore.key(tenant, id);
        Entry entry = sessions.get(key);
        List<Turn> turns = new ArrayList<>(entry == null ? List.of() : entry.turns());
        turns.add(turn);
        while (turns.size() > maxTurns) {
            turns.remove(0);
        }
        sessions.put(key, new Entry(List.copyOf(turns), clock.instant().plus(ttl)));
        while (sessions.size() > maxSessions) {
            Iterator<String> eldest = sessions.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    @Override
    public synchronized boolean delete(String tenant, String id) {
        expire();
        return sessions.remove(SessionStore.key(tenant, id)) != null;
    }

    @Override
    public boolean ping() {
        return true;
    }

    private void expire() {
        Instant now = clock.instant();
        sessions.entrySet().removeIf(e -> !e.getValue().expires().isAfter(now));
    }

    /** Sessions held now (expired ones not counted). */
    public synchronized int size() {
        expire();
        return sessions.size();
    }
}
