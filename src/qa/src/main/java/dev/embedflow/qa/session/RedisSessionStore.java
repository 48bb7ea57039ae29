package dev.embedflow.qa.session;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Sessions in Redis, shared by every replica of the service: one list per session under {@link
 * SessionStore#key}, one JSON turn per element. Appending is one transaction ({@code RPUSH}, {@code
 * LTRIM} to the newest {@code maxTurns}, {@code EXPIRE}); reading ({@code LRANGE}) restarts the
 * time to live as well, so a session lives {@code ttl} after its last use.
 */
public final class RedisSessionStore implements SessionStore {

    private final JedisPooled jedis;
    private final Duration ttl;
    private final int maxTurns;
    private final String where;

    /**
     * @param url {@code redis://host:port} or {@code rediss://host:port} (TLS); a password in the
     *     URL is refused (it would end up in logs): pass it as {@code password}
     * @param password the password, or null
     * @param timeout connect and read timeout
     * @param ttl how long a session lives after its last use
     * @param maxTurns the turns a session keeps
     */
    public RedisSessionStore(
            URI url, char[] password, Duration timeout, Duration ttl, int maxTurns) {
        Objects.requireNonNull(url, "url");
        if (!"redis".equals(url.getScheme()) && !"rediss".equals(url.getScheme())) {
            throw new IllegalArgumentException(
                    "qa.redis.url must look like redis://host:6379 or rediss://host:6380, was "
                            + url.getScheme()
                            + "://...");
        }
        if (url.getUserInfo() != null) {
            throw new IllegalArgumentException(
                    "qa.redis.url must not carry credentials; set EMBEDFLOW_QA_REDIS_PASSWORD or"
                            + " qa.redis.password-file");
        }
        if (ttl.isNegative() || ttl.isZero() || maxTurns < 1) {
            throw new IllegalArgumentException(
                    "qa.session.ttl and qa.session.max-turns must be positive");
        }
        int port = url.getPort() < 0 ? 6379 : url.getPort();
        DefaultJedisClientConfig.Builder config =
                DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis((int) timeout.toMillis())
                        .socketTimeoutMillis((int) timeout.toMillis())
                        .ssl("rediss".equals(url.getScheme()))
                        .clientName("embedflow-qa");
        if (password != null) {
            config.password(new String(password));
        }
        this.jedis = new JedisPooled(new HostAndPort(url.getHost(), port), config.build());
        this.ttl = ttl;
        this.maxTurns = maxTurns;
        this.where = url.getScheme() + "://" + url.getHost() + ":" + port;
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public Optional<Session> load(String tenant, String id) {
        String key = SessionStore.key(tenant, id);
        try (AbstractTransaction tx = jedis.multi()) {
            var turns = tx.lrange(key, 0, -1);
            tx.expire(key, ttl.toSeconds());
            tx.exec();
            List<String> stored = turns.get();
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Session(id, stored.stream().map(TurnCodec::decode).toList()));
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void append(String tenant, String id, Turn turn) {
        String key = SessionStore.key(tenant, id);
        try (AbstractTransaction tx = jedis.multi()) {
            tx.rpush(key, TurnCodec.encode(turn));
            tx.ltrim(key, -maxTurns, -1);
            tx.expire(key, ttl.toSeconds());
            tx.exec();
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    @Override
    public boolean delete(String tenant, String id) {
        try {
            return jedis.del(SessionStore.key(tenant, id)) > 0;
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    @Override
    public boolean ping() {
        try {
            return "PONG".equals(jedis.ping());
        } catch (JedisException e) {
            return false;
        }
    }

    private SessionStoreException unavailable(JedisException e) {
        return new SessionStoreException(
                "Redis at " + where + " is unavailable: " + e.getClass().getSimpleName(), e);
    }

    @Override
    public void close() {
        jedis.close();
    }

    @Override
    public String toString() {
        return "RedisSessionStore{" + where + "}";
    }
}
