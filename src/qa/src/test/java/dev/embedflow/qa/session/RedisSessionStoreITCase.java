package dev.embedflow.qa.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.devserver.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.JedisPooled;

/** Sessions in a real Redis: bounded, scoped by tenant, a sliding TTL, and a clear outage. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisSessionStoreITCase {

    private RedisServer redis;
    private RedisSessionStore store;
    private JedisPooled raw;

    @BeforeAll
    void start() throws IOException {
        redis = RedisServer.start();
        store =
                new RedisSessionStore(
                        URI.create(redis.url()),
                        null,
                        Duration.ofSeconds(2),
                        Duration.ofHours(1),
                        2);
        raw = new JedisPooled("127.0.0.1", redis.port());
    }

    @AfterAll
    void stop() throws IOException {
        raw.close();
        store.close();
        redis.close();
    }

    private static Turn turn(String q) {
        return new Turn(q, q + " query", "answer", List.of("id-1"), List.of("e-1"), Instant.EPOCH);
    }

    @Test
    void keepsTheNewestTurnsUnderATenantScopedKeyWithASlidingTtl() {
        store.append("acme", "s1", turn("one"));
        store.append("acme", "s1", turn("two"));
        store.append("acme", "s1", turn("three"));

        Session session = store.load("acme", "s1").orElseThrow();
        assertThat(session.turns()).extracting(Turn::question).containsExactly("two", "three");
        assertThat(session.turns().get(0)).isEqualTo(turn("two"));
        assertThat(store.load("globex", "s1")).isEmpty();

        String key = "embedflow:qa:acme:session:s1";
        raw.expire(key, 5);
        store.load("acme", "s1");
        assertThat(raw.ttl(key)).isGreaterThan(3_000);
        assertThat(store.delete("acme", "s1")).isTrue();
        assertThat(raw.exists(key)).isFalse();
    }

    @Test
    void refusesCredentialsInTheUrl() {
        assertThatThrownBy(
                        () ->
                                new RedisSessionStore(
                                        URI.create("redis://user:secret@localhost:6379"),
                                        null,
                                        Duration.ofSeconds(1),
                                        Duration.ofHours(1),
                                        2))
                .hasMessageContaining("must not carry credentials")
                .hasMessageNotContaining("secret");
    }

    @Test
    void anUnreachableRedisIsASessionStoreException() {
        try (RedisSessionStore nowhere =
                new RedisSessionStore(
                        URI.create("redis://127.0.0.1:1"),
                        null,
                        Duration.ofMillis(200),
                        Duration.ofHours(1),
                        2)) {
            assertThat(nowhere.ping()).isFalse();
            assertThatThrownBy(() -> nowhere.load("t", "s"))
                    .isInstanceOf(SessionStoreException.class)
                    .hasMessageContaining("redis://127.0.0.1:1 is unavailable");
        }
    }
}
