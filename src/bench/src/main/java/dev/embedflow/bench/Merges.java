package dev.embedflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Waits until OpenSearch merges no segment on any node. HNSW merges rebuild graphs and take the CPU
 * for tens of seconds after a large write: a measurement that starts while an earlier one's merges
 * run is slowed by them, so every timed phase starts once they are done.
 */
final class Merges {

    /** The longest wait before a timed phase. */
    static final Duration BEFORE_A_MEASUREMENT = Duration.ofMinutes(3);

    private Merges() {}

    /** How long the wait took, and whether the merges were done by then. */
    record Wait(double seconds, boolean settled) {
        String describe() {
            return settled
                    ? String.format(Locale.ROOT, "merges settled after %.1f s", seconds)
                    : String.format(Locale.ROOT, "merges still running after %.0f s", seconds);
        }
    }

    /** Until no node merges, at most {@code max}. */
    static Wait awaitNone(OpenSearchConnection connection, Duration max)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        while (true) {
            double waited = (System.nanoTime() - start) / 1e9;
            if (running(connection) == 0) {
                return new Wait(waited, true);
            }
            if (System.nanoTime() >= deadline) {
                return new Wait(waited, false);
            }
            Thread.sleep(250);
        }
    }

    /**
     * Until no node merges, at most {@link #BEFORE_A_MEASUREMENT}; says so in the progress when the
     * merges outlast the wait, since the measurement that follows then shares the CPU with them.
     */
    static Wait awaitNone(OpenSearchConnection connection, Consumer<String> progress)
            throws InterruptedException {
        Wait wait = awaitNone(connection, BEFORE_A_MEASUREMENT);
        if (!wait.settled()) {
            progress.accept(
                    "    "
                            + wait.describe()
                            + ": the measurement that follows shares the CPU with them");
        }
        return wait;
    }

    /** Merges running on OpenSearch's nodes now. */
    static long running(OpenSearchConnection connection) {
        long current = 0;
        for (JsonNode node :
                connection.sendOk("GET", "/_nodes/stats/indices/merge", null).path("nodes")) {
            current += node.path("indices").path("merges").path("current").asLong();
        }
        return current;
    }
}
