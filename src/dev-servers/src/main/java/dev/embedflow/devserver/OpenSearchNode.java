package dev.embedflow.devserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.devserver.internal.Processes;
import dev.embedflow.devserver.internal.UnixUser;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node OpenSearch cluster run as a child process from an unpacked distribution (the one
 * the build assembles in {@code target/opensearch-<version>}), for the tests and for {@code
 * embedflow local}.
 *
 * <p>The node listens on 127.0.0.1 only. Its ports are fixed when the node is built, so a node that
 * is {@linkplain #stop() stopped} and {@linkplain #start() started} again answers on the same port
 * and keeps its data. Everything the server writes goes under the {@linkplain #serverDir() server
 * directory}: {@code config/} (a copy of the distribution's, with this node's settings), {@code
 * data/}, {@code logs/} and {@code tmp/}. The server's stdout and stderr go to {@link
 * #consoleLog()}.
 *
 * <p>OpenSearch refuses to run as root. When this JVM runs as root, the server runs as an
 * unprivileged user ({@code nobody} unless {@link Builder#runAsUserWhenRoot} says otherwise)
 * through {@code setpriv}, which execs the server so that the child {@link Process} is the server
 * itself. That user must be able to reach the server directory and the distribution: if it cannot
 * reach the work dir, the server directory moves to a directory under {@code java.io.tmpdir}; if it
 * cannot read the distribution, the distribution is copied into the server directory.
 *
 * <p>Instances are thread-safe. {@link #close()} stops the server for good.
 */
public final class OpenSearchNode implements AutoCloseable {

    /** Heap of the server JVM unless {@link Builder#heap} says otherwise. */
    public static final String DEFAULT_HEAP = "512m";

    /** How long {@link #start()} waits for the cluster to turn yellow unless told otherwise. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

    /** How long {@link #stop()} waits after SIGTERM before it kills the server. */
    public static final Duration STOP_GRACE_PERIOD = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(OpenSearchNode.class);
    private static final int LOG_TAIL_LINES = 40;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]");
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path workDir;
    private final Path javaHome;
    private final int httpPort;
    private final int transportPort;
    private final String heap;
    private final Duration startupTimeout;
    private final boolean keepData;
    private final boolean throwaway;
    private final String clusterName;
    private final String runAsUserWhenRoot;

    /** Set by the first start(); restarts reuse it. Written under this lock. */
    private volatile Layout layout;

    /** Guarded by this. */
    private boolean closed;

    /** Guarded by this. */
    private Thread shutdownHook;

    /** The running server, or null. Written under this lock, read without it by isRunning(). */
    private volatile Process process;

    /** Where the server runs from, decided by the first start(). */
    private record Layout(Path serverDir, Path effectiveHome, UnixUser user, boolean homeCopied) {}

    private OpenSearchNode(Builder builder, int httpPort, int transportPort) {
        this.home = builder.home;
        this.workDir = builder.workDir;
        this.javaHome = builder.javaHome;
        this.httpPort = httpPort;
        this.transportPort = transportPort;
        this.heap = builder.heap;
        this.startupTimeout = builder.startupTimeout;
        this.keepData = builder.keepData;
        this.throwaway = builder.throwaway;
        this.clusterName = builder.clusterName;
        this.runAsUserWhenRoot = builder.runAsUserWhenRoot;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the server and waits until the cluster health is at least yellow.
     *
     * <p>The first call lays out the server directory: it copies the distribution's {@code
     * config/}, writes this node's settings and, unless {@link Builder#keepData} was set, deletes
     * the data, logs and console log of earlier runs. Later calls (after {@link #stop()}) reuse
     * that directory, so the data survives a restart.
     *
     * @throws IllegalStateException if the node is running or closed
     * @throws OpenSearchNodeException if the server cannot be started, exits, or is not healthy
     *     within the start-up timeout (it is then stopped); the message ends with the last lines of
     *     the console log
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("Cannot start a closed node: " + this);
        }
        Process current = process;
        if (current != null && current.isAlive()) {
            throw new IllegalStateException("The node is already running: " + this);
        }
        forgetProcess();
        for (int port : new int[] {httpPort, transportPort}) {
            // Something else on the port would answer the health check in the node's place.
            if (FreePorts.isTaken(port)) {
                throw new OpenSearchNodeException(
                        "Cannot start OpenSearch: port "
                                + port
                                + " on 127.0.0.1 is already in use (another OpenSearch?). Stop what"
                                + " uses it or choose another port.");
            }
        }
        if (layout == null) {
            layout = prepare();
        }
        long logOffset = markConsoleLog();
        Instant begin = Instant.now();
        Process started = launch(logOffset);
        process = started;
        registerShutdownHook(started);
        awaitHealthy(started, begin, logOffset);
        LOG.info(
                "OpenSearch is up at {} after {} ms (pid {})",
                httpUri(),
                Duration.between(begin, Instant.now()).toMillis(),
                started.pid());
    }

    /**
     * Stops the server: SIGTERM, up to {@link #STOP_GRACE_PERIOD} to shut down, then SIGKILL to it
     * and any process it started. Data stays on disk; {@link #start()} brings the node back. Does
     * nothing if the server is not running.
     */
    public synchronized void stop() {
        Process current = process;
        if (current == null) {
            return;
        }
        forgetProcess();
        if (!current.isAlive()) {
            LOG.warn(
                    "OpenSearch (pid {}) had already exited with code {}",
                    current.pid(),
                    current.exitValue());
            return;
        }
        Instant begin = Instant.now();
        boolean graceful = Processes.terminate(current, STOP_GRACE_PERIOD);
        LOG.info(
                "OpenSearch (pid {}) {} after {} ms",
                current.pid(),
                graceful ? "stopped" : "did not stop in time and was killed",
                Duration.between(begin, Instant.now()).toMillis());
    }

    /**
     * Stops the server (see {@link #stop()}) for good and deletes what only this run needed: the
     * server's temporary directory and, if one was made, the copy of the distribution. The data
     * stays, except that a {@linkplain Builder#throwaway throwaway} node deletes a server directory
     * under {@code java.io.tmpdir} whole (the work dir is its caller's). Calling it again does
     * nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        if (layout != null) {
            if (throwaway && !layout.serverDir().equals(workDir)) {
                deleteTree(layout.serverDir());
                return;
            }
            deleteTree(layout.serverDir().resolve("tmp"));
            if (layout.homeCopied()) {
                deleteTree(layout.effectiveHome());
            }
        }
    }

    /** Whether the server process is alive (it may still be starting or already unhealthy). */
    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** The server's process id while it runs. */
    public OptionalLong pid() {
        Process current = process;
        return current != null && current.isAlive()
                ? OptionalLong.of(current.pid())
                : OptionalLong.empty();
    }

    /** The REST endpoint, e.g. {@code http://127.0.0.1:9200}; the same across restarts. */
    public URI httpUri() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** The HTTP port on 127.0.0.1; the same across restarts. */
    public int httpPort() {
        return httpPort;
    }

    /** The transport (node-to-node) port on 127.0.0.1; the same across restarts. */
    public int transportPort() {
        return transportPort;
    }

    public String clusterName() {
        return clusterName;
    }

    /** The directory this node was given for its files. */
    public Path workDir() {
        return workDir;
    }

    /**
     * The server's stdout and stderr, appended to by every start (each start writes a header line
     * first). The first start empties it unless {@link Builder#keepData} was set.
     */
    public Path consoleLog() {
        return workDir.resolve("console.log");
    }

    /**
     * Where the server keeps {@code config/}, {@code data/}, {@code logs/} and {@code tmp/}: the
     * work dir, or a directory under {@code java.io.tmpdir} when the server runs as an unprivileged
     * user who cannot reach the work dir.
     *
     * @throws IllegalStateException before the first {@link #start()}, which decides it
     */
    public Path serverDir() {
        Layout l = layout;
        if (l == null) {
            throw new IllegalStateException("The server directory is chosen by the first start()");
        }
        return l.serverDir();
    }

    @Override
    public String toString() {
        Process current = process;
        String state =
                closed
                        ? "closed"
                        : current != null && current.isAlive()
                                ? "running, pid " + current.pid()
                                : "stopped";
        Layout l = layout;
        return "OpenSearchNode["
                + httpUri()
                + ", "
                + state
                + (l != null && l.user() != null ? ", as " + l.user().name() : "")
                + ", cluster "
                + clusterName
                + ", transport port "
                + transportPort
                + ", heap "
                + heap
                + ", home "
                + (l != null ? l.effectiveHome() : home)
                + ", work dir "
                + workDir
                + (l != null && !l.serverDir().equals(workDir)
                        ? ", server dir " + l.serverDir()
                        : "")
                + "]";
    }

    // ---------------------------------------------------------------- preparing the server
    // directory

    private Layout prepare() {
        try {
            Files.createDirectories(workDir);
            UnixUser user = UnixUser.currentIsRoot() ? UnixUser.lookup(runAsUserWhenRoot) : null;
            if (user != null && !user.canExecute(javaHome.resolve("bin/java"))) {
                throw new OpenSearchNodeException(
                        "User "
                                + user
                                + " cannot run "
                                + javaHome.resolve("bin/java")
                                + ", which the server needs; build the node with a Java home that user can reach");
            }
            Path serverDir = chooseServerDir(user);
            if (serverDir.toString().chars().anyMatch(Character::isWhitespace)) {
                throw new OpenSearchNodeException(
                        "The server directory "
                                + serverDir
                                + " contains whitespace, which bin/opensearch cannot pass to the JVM");
            }
            if (!keepData) {
                Files.deleteIfExists(consoleLog());
                deleteTree(serverDir.resolve("data"));
                deleteTree(serverDir.resolve("logs"));
            }
            deleteTree(serverDir.resolve("config"));
            deleteTree(serverDir.resolve("tmp"));
            deleteTree(serverDir.resolve("home"));
            for (String dir : List.of("data", "logs", "tmp")) {
                Files.createDirectories(serverDir.resolve(dir));
            }
            copyTree(home.resolve("config"), serverDir.resolve("config"));
            writeConfig(serverDir);

            Path effectiveHome = home;
            boolean homeCopied = false;
            if (user != null && !user.canReadTree(home)) {
                effectiveHome = serverDir.resolve("home");
                copyTree(home, effectiveHome);
                homeCopied = true;
                LOG.info(
                        "User {} cannot read the OpenSearch home {}; running a copy in {}",
                        user.name(),
                        home,
                        effectiveHome);
            }
            if (user != null) {
                for (String dir : List.of("config", "data", "logs", "tmp", "home")) {
                    Path path = serverDir.resolve(dir);
                    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                        user.chownTree(path);
                    }
                }
            }
            return new Layout(serverDir, effectiveHome, user, homeCopied);
        } catch (IOException e) {
            throw new OpenSearchNodeException(
                    "Could not lay out the OpenSearch node in " + workDir + ": " + e, e);
        }
    }

    /**
     * The work dir if the server's user can write a directory there; otherwise a directory under
     * {@code java.io.tmpdir} named after the work dir, so that a later run with the same work dir
     * finds its data again.
     */
    private Path chooseServerDir(UnixUser user) throws IOException {
        if (user == null || userCanWriteUnder(user, workDir)) {
            return workDir;
        }
        Path fallback =
                Path.of(System.getProperty("java.io.tmpdir"))
                        .resolve("embedflow-opensearch-" + shortHash(workDir.toString()));
        if (Files.isSymbolicLink(fallback)) {
            throw new OpenSearchNodeException(
                    "Refusing to use "
                            + fallback
                            + " as the server directory: it is a symbolic link");
        }
        Files.createDirectories(fallback);
        if (!userCanWriteUnder(user, fallback)) {
            throw new OpenSearchNodeException(
                    "User "
                            + user
                            + " can reach neither the work dir "
                            + workDir
                            + " nor "
                            + fallback
                            + "; give the node a work dir that user can traverse");
        }
        LOG.info(
                "User {} cannot reach the work dir {}; the server's config, data and logs go to {}",
                user.name(),
                workDir,
                fallback);
        return fallback;
    }

    private static boolean userCanWriteUnder(UnixUser user, Path dir) throws IOException {
        Path data = dir.resolve("data");
        boolean existed = Files.exists(data);
        Files.createDirectories(data);
        user.chownTree(data);
        if (user.canWrite(data)) {
            return true;
        }
        if (!existed) {
            Files.delete(data);
        }
        return false;
    }

    private void writeConfig(Path serverDir) throws IOException {
        Path config = serverDir.resolve("config");
        // bin/opensearch runs the JVM in the home directory, so the relative paths in the stock
        // jvm.options (GC log, error file, heap dumps) would point into the shared distribution.
        Path jvmOptions = config.resolve("jvm.options");
        String logs = serverDir.resolve("logs").toString();
        String data = serverDir.resolve("data").toString();
        String options =
                Files.readAllLines(jvmOptions, StandardCharsets.UTF_8).stream()
                        // The heap comes from OPENSEARCH_JAVA_OPTS instead.
                        .filter(line -> !line.matches("^-Xm[sx]\\S*$"))
                        .map(line -> withAbsolutePaths(line, logs, data))
                        .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(jvmOptions, options, StandardCharsets.UTF_8);

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cluster.name", clusterName);
        settings.put("node.name", clusterName + "-node");
        settings.put("discovery.type", "single-node");
        settings.put("network.host", "127.0.0.1");
        settings.put("http.port", Integer.toString(httpPort));
        settings.put("transport.port", Integer.toString(transportPort));
        settings.put("path.data", data);
        settings.put("path.logs", logs);
        // Tests run on shared disks: a nearly full one must not make the shards read-only.
        settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        String yaml =
                settings.entrySet().stream()
                        .map(e -> e.getKey() + ": " + yamlString(e.getValue()))
                        .collect(
                                Collectors.joining(
                                        "\n", "# Written by EmbedFlow's OpenSearchNode.\n", "\n"));
        Files.writeString(config.resolve("opensearch.yml"), yaml, StandardCharsets.UTF_8);
    }

    /** Points the stock jvm.options' relative log, error-file and heap-dump paths at this node. */
    private static String withAbsolutePaths(String line, String logs, String data) {
        return line.replace("file=logs/", "file=" + logs + "/")
                .replace("-Xloggc:logs/", "-Xloggc:" + logs + "/")
                .replace("-XX:ErrorFile=logs/", "-XX:ErrorFile=" + logs + "/")
                .replace("-XX:HeapDumpPath=data", "-XX:HeapDumpPath=" + data);
    }

    private static String yamlString(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    // ---------------------------------------------------------------- running the server

    /**
     * Writes a header to the console log and returns the offset where this start's output begins.
     */
    private long markConsoleLog() {
        Path log = consoleLog();
        try {
            Files.writeString(
                    log,
                    "==== EmbedFlow: starting OpenSearch at " + Instant.now() + " ====\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return Files.size(log);
        } catch (IOException e) {
            throw new OpenSearchNodeException(
                    "Could not write the console log " + log + ": " + e, e);
        }
    }

    private Process launch(long logOffset) {
        Layout l = layout;
        Path serverDir = l.serverDir();
        List<String> command = List.of(l.effectiveHome().resolve("bin/opensearch").toString());
        if (l.user() != null) {
            command = l.user().wrap(command);
        }
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(serverDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.put("OPENSEARCH_JAVA_HOME", javaHome.toString());
        env.put("OPENSEARCH_PATH_CONF", serverDir.resolve("config").toString());
        env.put("OPENSEARCH_TMPDIR", serverDir.resolve("tmp").toString());
        env.put("OPENSEARCH_JAVA_OPTS", "-Xms" + heap + " -Xmx" + heap);
        if (l.user() != null) {
            // The unprivileged user's own home (often /nonexistent) is of no use to the server.
            env.put("HOME", serverDir.toString());
        }
        LOG.info(
                "Starting OpenSearch: {} (console log {})",
                String.join(" ", command),
                consoleLog());
        try {
            return builder.start();
        } catch (IOException e) {
            throw failure("could not run " + String.join(" ", command) + ": " + e, logOffset, e);
        }
    }

    private void awaitHealthy(Process started, Instant begin, long logOffset) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health =
                HttpRequest.newBuilder(
                                httpUri()
                                        .resolve(
                                                "/_cluster/health?wait_for_status=yellow&timeout=1s"))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build();
        Instant deadline = begin.plus(startupTimeout);
        String lastAnswer = "no answer yet";
        while (true) {
            if (!started.isAlive()) {
                forgetProcess();
                throw failure(
                        "the server exited with code "
                                + started.exitValue()
                                + " before its cluster became healthy",
                        logOffset,
                        null);
            }
            if (Instant.now().isAfter(deadline)) {
                stop();
                throw failure(
                        "the cluster was not yellow or green within "
                                + startupTimeout.toSeconds()
                                + " s (last answer from "
                                + health.uri()
                                + ": "
                                + lastAnswer
                                + "); the server was stopped",
                        logOffset,
                        null);
            }
            try {
                HttpResponse<String> response =
                        http.send(health, HttpResponse.BodyHandlers.ofString());
                lastAnswer = "HTTP " + response.statusCode() + " " + abbreviate(response.body());
                if (response.statusCode() == 200 && isOurHealthyCluster(response.body())) {
                    return;
                }
            } catch (ConnectException e) {
                lastAnswer = "connection refused";
            } catch (IOException e) {
                lastAnswer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new OpenSearchNodeException(
                        "Interrupted while waiting for OpenSearch to start; the server was stopped",
                        e);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new OpenSearchNodeException(
                        "Interrupted while waiting for OpenSearch to start; the server was stopped",
                        e);
            }
        }
    }

    /** Whether a health answer is yellow or green and comes from this node's cluster. */
    private boolean isOurHealthyCluster(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            String status = json.path("status").asText();
            return clusterName.equals(json.path("cluster_name").asText())
                    && !json.path("timed_out").asBoolean(true)
                    && (status.equals("green") || status.equals("yellow"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }

    private OpenSearchNodeException failure(String reason, long logOffset, Throwable cause) {
        List<String> tail = Processes.tail(consoleLog(), logOffset, LOG_TAIL_LINES);
        String message =
                "OpenSearch did not start ("
                        + this
                        + "): "
                        + reason
                        + ".\nLast "
                        + tail.size()
                        + " lines of "
                        + consoleLog()
                        + ":\n"
                        + String.join("\n", tail);
        return new OpenSearchNodeException(message, cause);
    }

    private void registerShutdownHook(Process started) {
        Thread hook =
                new Thread(
                        () -> Processes.terminate(started, Duration.ofSeconds(10)),
                        "opensearch-node-shutdown-" + started.pid());
        Runtime.getRuntime().addShutdownHook(hook);
        shutdownHook = hook;
    }

    /** Drops the reference to the server process and its shutdown hook. Caller holds the lock. */
    private void forgetProcess() {
        process = null;
        Thread hook = shutdownHook;
        shutdownHook = null;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down; the hook is running or about to.
            }
        }
    }

    // ---------------------------------------------------------------- files

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path destination = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(
                            path,
                            destination,
                            StandardCopyOption.COPY_ATTRIBUTES,
                            LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(
                    root,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                                throws IOException {
                            Files.delete(file);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, IOException e)
                                throws IOException {
                            if (e != null) {
                                throw e;
                            }
                            Files.delete(dir);
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + root, e);
        }
    }

    private static String shortHash(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    // ---------------------------------------------------------------- builder

    /** Builds an {@link OpenSearchNode}; {@link #build()} checks every value. */
    public static final class Builder {
        private Path home;
        private Path workDir;
        private Path javaHome = Path.of(System.getProperty("java.home"));
        private int httpPort;
        private int transportPort;
        private String heap = DEFAULT_HEAP;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private boolean keepData;
        private boolean throwaway;
        private String clusterName = "embedflow";
        private String runAsUserWhenRoot = "nobody";

        private Builder() {}

        /** Required: the unpacked distribution, with {@code bin/opensearch} and {@code config/}. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** Required: the node's own directory (created if missing); see {@link #serverDir()}. */
        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** The Java the server runs on; defaults to this JVM's {@code java.home}. */
        public Builder javaHome(Path javaHome) {
            this.javaHome = javaHome;
            return this;
        }

        /** The HTTP port on 127.0.0.1; 0 (the default) picks a free one when the node is built. */
        public Builder httpPort(int httpPort) {
            this.httpPort = httpPort;
            return this;
        }

        /**
         * The transport port on 127.0.0.1; 0 (the default) picks a free one when the node is built.
         */
        public Builder transportPort(int transportPort) {
            this.transportPort = transportPort;
            return this;
        }

        /** The server's heap (-Xms and -Xmx) in JVM notation, e.g. {@code 512m} or {@code 1g}. */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        /** How long {@link OpenSearchNode#start()} waits for a healthy cluster; default 120 s. */
        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        /**
         * Whether the first start keeps the data of an earlier run in the same work dir. Default
         * {@code false}: the first start begins with an empty cluster. Restarts of one node always
         * keep its data.
         */
        public Builder keepData(boolean keepData) {
            this.keepData = keepData;
            return this;
        }

        /**
         * {@code true}: the node's data matters to this run only (tests, benchmarks), so {@link
         * #close()} also deletes a server directory under {@code java.io.tmpdir}, which nothing
         * else would ever delete; the work dir stays its caller's. Default {@code false}: a later
         * node with the same work dir finds that directory's data again.
         */
        public Builder throwaway(boolean throwaway) {
            this.throwaway = throwaway;
            return this;
        }

        /** The cluster name (letters, digits, '-' and '_'); default {@code embedflow}. */
        public Builder clusterName(String clusterName) {
            this.clusterName = clusterName;
            return this;
        }

        /** The account the server runs as when this JVM runs as root; default {@code nobody}. */
        public Builder runAsUserWhenRoot(String user) {
            this.runAsUserWhenRoot = user;
            return this;
        }

        /**
         * Checks the values, picks free ports for those left at 0 and returns the (not yet started)
         * node.
         *
         * @throws IllegalArgumentException naming the first value that is missing or wrong
         */
        public OpenSearchNode build() {
            require(home != null, "home (the OpenSearch distribution) is required");
            require(workDir != null, "workDir is required");
            require(
                    Files.isRegularFile(home.resolve("bin/opensearch")),
                    home + " is not an OpenSearch distribution: bin/opensearch is missing");
            require(
                    Files.isRegularFile(home.resolve("config/jvm.options")),
                    home + " is not an OpenSearch distribution: config/jvm.options is missing");
            require(javaHome != null, "javaHome must not be null");
            require(
                    Files.isRegularFile(javaHome.resolve("bin/java")),
                    "javaHome " + javaHome + " has no bin/java");
            require(
                    httpPort >= 0 && httpPort <= 65535,
                    "httpPort must be within 0..65535, was " + httpPort);
            require(
                    transportPort >= 0 && transportPort <= 65535,
                    "transportPort must be within 0..65535, was " + transportPort);
            require(
                    httpPort == 0 || httpPort != transportPort,
                    "httpPort and transportPort must differ, both were " + httpPort);
            require(
                    heap != null && HEAP.matcher(heap).matches(),
                    "heap must be a size such as 512m or 1g, was " + heap);
            require(
                    startupTimeout != null
                            && !startupTimeout.isNegative()
                            && !startupTimeout.isZero(),
                    "startupTimeout must be positive, was " + startupTimeout);
            require(
                    clusterName != null && CLUSTER_NAME.matcher(clusterName).matches(),
                    "clusterName may only hold letters, digits, '-' and '_', was " + clusterName);
            require(
                    runAsUserWhenRoot != null && !runAsUserWhenRoot.isBlank(),
                    "runAsUserWhenRoot must name an account");
            home = home.toAbsolutePath().normalize();
            workDir = workDir.toAbsolutePath().normalize();
            javaHome = javaHome.toAbsolutePath().normalize();

            int http = httpPort;
            int transport = transportPort;
            if (http == 0 || transport == 0) {
                List<Integer> free = FreePorts.pick(2);
                if (http == 0) {
                    http = free.get(0).equals(transport) ? free.get(1) : free.get(0);
                }
                if (transport == 0) {
                    transport = free.get(1).equals(http) ? free.get(0) : free.get(1);
                }
            }
            return new OpenSearchNode(this, http, transport);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
