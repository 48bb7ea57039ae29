package dev.embedflow.qa.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySessionStoreTest {

    /** A clock the test moves. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final InMemorySessionStore store =
            new InMemorySessionStore(clock, Duration.ofMinutes(10), 2, 3);

    private Turn turn(String q) {
        return new Turn(q, q, "a", List.of(), List.of(), clock.instant());
    }

    @Test
    void keepsTheNewestTurnsPerTenantAndSession() {
        store.append("acme", "s", turn("1"));
        store.append("acme", "s", turn("2"));
        store.append("acme", "s", turn("3"));
        store.append("globex", "s", turn("other"));

        assertThat(store.load("acme", "s").orElseThrow().turns())
                .extracting(Turn::question)
                .containsExactly("2", "3");
        assertThat(store.load("globex", "s").orElseThrow().turns()).hasSize(1);
        assertThat(store.load("acme", "nope")).isEmpty();
    }

    @Test
    void aSessionExpiresItsTtlAfterItsLastUse() {
        store.append("acme", "s", turn("1"));
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(store.load("acme", "s")).isPresent(); // read: the TTL starts again
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(store.load("acme", "s")).isPresent();
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertThat(store.load("acme", "s")).isEmpty();
    }

    @Test
    void holdsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        store.append("t", "a", turn("1"));
        store.append("t", "b", turn("1"));
        store.append("t", "c", turn("1"));
        store.load("t", "a");
        store.append("t", "d", turn("1"));
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.load("t", "b")).isEmpty();
        assertThat(store.load("t", "a")).isPresent();
        assertThat(store.delete("t", "a")).isTrue();
        assertThat(store.delete("t", "a")).isFalse();
    }
}
