package dev.embedflow.devserver;

import dev.embedflow.devserver.internal.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller), run as {@code
 * kafka.Kafka} in a child JVM. Used by the integration tests and by {@code embedflow local}.
 *
 * <p>The child JVM takes its classpath from this JVM unless one is given, so the Kafka server
 * classes ({@code org.apache.kafka:kafka_2.13}, the launcher's {@code target/lib}) must be on it.
 * Its storage is formatted on the first start; with {@link Builder#keepData(boolean)} later starts
 * reuse it, otherwise every start begins empty.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final String MAIN_CLASS = "kafka.Kafka";
    private static final String STORAGE_TOOL_CLASS = "kafka.tools.StorageTool";

    private final Path workDir;
    private final int port;
    private final int controllerPort;
    private final String heap;
    private final Duration startupTimeout;
    private final boolean keepData;
    private final int defaultPartitions;
    private final String classpath;

    private ChildProcess process;

    private KafkaBroker(Builder builder) {
        this.workDir = builder.workDir.toAbsolutePath();
        List<Integer> free = FreePorts.pick(2);
        this.port = builder.port != 0 ? builder.port : free.get(0);
        this.controllerPort = builder.controllerPort != 0 ? builder.controllerPort : free.get(1);
        this.heap = builder.heap;
        this.startupTimeout = builder.startupTimeout;
        this.keepData = builder.keepData;
        this.defaultPartitions = builder.defaultPartitions;
        // The child runs in the work dir: relative entries must not change meaning there.
        this.classpath =
                java.util.Arrays.stream(builder.classpath.split(java.io.File.pathSeparator))
                        .filter(entry -> !entry.isBlank())
                        .map(entry -> Path.of(entry).toAbsolutePath().toString())
                        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the storage when needed, starts the broker and waits until it answers a metadata
     * request.
     *
     * @throws IllegalStateException when a port is taken, the broker exits or does not answer in
     *     time (the message carries the end of its log)
     */
    public synchronized KafkaBroker start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        for (int p : new int[] {port, controllerPort}) {
            if (FreePorts.isTaken(p)) {
                throw new IllegalStateException(
                        "Cannot start the Kafka broker: port "
                                + p
                                + " on 127.0.0.1 is already in use. Stop what uses it or choose another port.");
            }
        }
        long started = System.nanoTime();
        try {
            Path dataDir = workDir.resolve("data");
            if (!keepData) {
                LocalFiles.deleteRecursively(dataDir);
            }
            Files.createDirectories(dataDir);
            Path config = writeServerProperties(dataDir);
            Path log4j = writeLog4jConfig();
            Path logFile = workDir.resolve("kafka.log");
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                ChildProcess.run(
                        "kafka-storage-format",
                        javaCommand(
                                log4j,
                                STORAGE_TOOL_CLASS,
                                "format",
                                "--cluster-id",
                                clusterId(),
                                "--config",
                                config.toString(),
                                "--ignore-formatted"),
                        Map.of("CLASSPATH", classpath),
                        workDir,
                        workDir.resolve("kafka-storage-format.log"),
                        Duration.ofMinutes(2));
            }
            process =
                    ChildProcess.start(
                            "kafka-broker",
                            javaCommand(log4j, MAIN_CLASS, config.toString()),
                            Map.of("CLASSPATH", classpath),
                            workDir,
                            logFile);
            awaitReady();
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException("Could not start the Kafka broker in " + workDir, e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info(
                "Kafka broker ready at {} in {} ms (log: {})",
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                process.logFile());
        return this;
    }

    /** {@code host:port} for Kafka clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The child JVM's classpath, every entry absolute. */
    public String classpath() {
        return classpath;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The broker's process id while it runs. */
    public synchronized java.util.OptionalLong pid() {
        return process != null && process.isAlive()
                ? java.util.OptionalLong.of(process.pid())
                : java.util.OptionalLong.empty();
    }

    public Path workDir() {
        return workDir;
    }

    /** Stops the broker cleanly (SIGTERM, then a kill after 30 s); the data stays on disk. */
    public synchronized void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(30));
            process = null;
        }
    }

    /** Kills the broker at once, as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + ", workDir=" + workDir + "]";
    }

    private List<String> javaCommand(Path log4j, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms" + heap);
        command.add("-Xmx" + heap);
        command.add("-XX:+UseG1GC");
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        command.add("-Dkafka.logs.dir=" + workDir);
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private void awaitReady() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "The Kafka broker exited with code "
                                    + process.exitValue()
                                    + " during start-up; the end of its log ("
                                    + process.logFile()
                                    + "):\n"
                                    + process.tail(40));
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not ready yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "The Kafka broker did not answer within "
                                    + startupTimeout
                                    + "; the end of its log ("
                                    + process.logFile()
                                    + "):\n"
                                    + process.tail(40));
                }
                LocalFiles.sleep(200, "waiting for Kafka");
            }
        }
    }

    private Path writeServerProperties(Path dataDir) throws IOException {
        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.setProperty(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty(
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("log.dirs", dataDir.toString());
        props.setProperty("num.partitions", Integer.toString(defaultPartitions));
        // One node: internal topics cannot be replicated, and small ones start faster.
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("offsets.topic.num.partitions", "5");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("transaction.state.log.num.partitions", "5");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("log.retention.hours", "168");
        Path file = workDir.resolve("server.properties");
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(writer, "Written by EmbedFlow's KafkaBroker");
        }
        return file;
    }

    private Path writeLog4jConfig() throws IOException {
        Path file = workDir.resolve("kafka-log4j2.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "status = warn",
                        "appender.console.type = Console",
                        "appender.console.name = console",
                        "appender.console.layout.type = PatternLayout",
                        "appender.console.layout.pattern = [%d] %p %m (%c)%n",
                        "rootLogger.level = info",
                        "rootLogger.appenderRef.console.ref = console",
                        "logger.kafka.name = kafka",
                        "logger.kafka.level = warn",
                        "logger.apache.name = org.apache.kafka",
                        "logger.apache.level = warn",
                        "logger.started.name = kafka.server.KafkaRaftServer",
                        "logger.started.level = info",
                        ""),
                StandardCharsets.UTF_8);
        return file;
    }

    private static String clusterId() {
        // Kafka's own ids never start with '-', which the storage tool would read as an option.
        return Uuid.randomUuid().toString();
    }

    /** Settings of a {@link KafkaBroker}, checked once by {@link #build()}. */
    public static final class Builder {
        private Path workDir;
        private int port;
        private int controllerPort;
        private String heap = "512m";
        private Duration startupTimeout = Duration.ofSeconds(90);
        private boolean keepData;
        private int defaultPartitions = 1;
        private String classpath = System.getProperty("java.class.path");

        private Builder() {}

        /** Where the data, configuration and log go (required). */
        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** The client port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The KRaft controller port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /** The child JVM's heap, in JVM notation such as {@code 512m} (the default). */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        /** Keep topics between starts (default false: every start begins empty). */
        public Builder keepData(boolean keepData) {
            this.keepData = keepData;
            return this;
        }

        /** Partitions of automatically created topics (default 1). */
        public Builder defaultPartitions(int defaultPartitions) {
            this.defaultPartitions = defaultPartitions;
            return this;
        }

        /** The child JVM's classpath; by default this JVM's own. */
        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        public KafkaBroker build() {
            Objects.requireNonNull(workDir, "workDir is required");
            checkPort("port", port);
            checkPort("controllerPort", controllerPort);
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException(
                        "port and controllerPort must differ, both are " + port);
            }
            if (!heap.matches("\\d+[kKmMgG]")) {
                throw new IllegalArgumentException(
                        "heap must look like 512m or 1g, was '" + heap + "'");
            }
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive");
            }
            if (defaultPartitions < 1) {
                throw new IllegalArgumentException("defaultPartitions must be at least 1");
            }
            if (classpath == null
                    || KafkaBroker.class.getClassLoader().getResource("kafka/Kafka.class")
                            == null) {
                throw new IllegalArgumentException(
                        "The Kafka broker classes (org.apache.kafka:kafka_2.13) are not on the classpath;"
                                + " run through ./embedflow, which puts target/lib on it");
            }
            return new KafkaBroker(this);
        }

        private static void checkPort(String name, int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException(name + " must be 0..65535, was " + value);
            }
        }
    }
}
