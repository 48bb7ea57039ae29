package dev.embedflow.devserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis server for tests and {@code embedflow local}: the {@code redis-server} binary that
 * {@code com.github.codemonstur:embedded-redis} ships, on 127.0.0.1. It keeps its snapshot in a
 * directory of its own, so a restart (or the next {@code embedflow local}) finds the sessions it
 * held. {@link #stop()} and {@link #start()} let a test take it away and bring it back on the same
 * port. A server started in a temporary directory of its own deletes it on {@link #close()}.
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);

    private final int port;
    private final Path dir;
    private final boolean temporary;
    private redis.embedded.RedisServer server;

    private RedisServer(int port, Path dir, boolean temporary) {
        this.port = port;
        this.dir = dir;
        this.temporary = temporary;
    }

    /**
     * Starts a server on a free port with its data in a new temporary directory, deleted on {@link
     * #close()}.
     */
    public static RedisServer start() throws IOException {
        return start(FreePorts.pickOne(), Files.createTempDirectory("embedflow-redis"), true);
    }

    /**
     * Starts a server on {@code port} with its snapshot in {@code dir} (created if missing), which
     * it keeps.
     */
    public static RedisServer start(int port, Path dir) throws IOException {
        return start(port, dir, false);
    }

    private static RedisServer start(int port, Path dir, boolean temporary) throws IOException {
        Files.createDirectories(Objects.requireNonNull(dir, "dir"));
        RedisServer redis = new RedisServer(port, dir, temporary);
        redis.startProcess();
        return redis;
    }

    /** Starts the process again after {@link #stop()}, on the same port and directory. */
    public synchronized void restart() throws IOException {
        if (server != null) {
            throw new IllegalStateException("Redis is running on port " + port);
        }
        startProcess();
    }

    private synchronized void startProcess() throws IOException {
        redis.embedded.RedisServer process =
                redis.embedded.RedisServer.newRedisServer()
                        .bind("127.0.0.1")
                        .port(port)
                        .setting("dir " + dir.toAbsolutePath())
                        .setting("save 60 1")
                        .setting("appendonly no")
                        .setting("protected-mode yes")
                        .build();
        process.start();
        server = process;
        LOG.info("Redis started on 127.0.0.1:{} ({})", port, dir);
    }

    /** Stops the process (its last snapshot stays in the directory). */
    public synchronized void stop() throws IOException {
        if (server != null) {
            try {
                server.stop();
            } finally {
                server = null;
            }
        }
    }

    public int port() {
        return port;
    }

    /** Where the server keeps its snapshot. */
    Path dir() {
        return dir;
    }

    /** {@code redis://127.0.0.1:port}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public synchronized boolean isRunning() {
        return server != null && server.isActive();
    }

    /** Stops the process; a temporary directory of {@link #start()} goes with it. */
    @Override
    public void close() throws IOException {
        stop();
        if (temporary) {
            LocalFiles.deleteRecursively(dir);
        }
    }
}
