package dev.embedflow.local;

import dev.embedflow.devserver.EventPublisher;
import dev.embedflow.devserver.FreePorts;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.LocalFiles;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.devserver.RedisServer;
import dev.embedflow.devserver.SampleBusiness;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.qa.QaApplication;
import dev.embedflow.qa.QaOptions;
import dev.embedflow.search.SearchHit;
import dev.embedflow.search.SearchQuery;
import dev.embedflow.search.SemanticSearch;
import dev.embedflow.stream.StreamingJob;
import dev.embedflow.window.DocumentRenderer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system on one machine, for {@code embedflow local} and its test: a real Kafka broker
 * (KRaft, child JVM), a real OpenSearch node with k-NN (child process), the local embedding model
 * behind the OpenAI embeddings API, Redis (child process), the streaming job on a Flink MiniCluster
 * with its web UI, and the Q&A service with its page.
 *
 * <p>{@link #start()} starts them in that order, creates the topics and the index, and publishes
 * the sample business's events when the events topic is new. {@link #close()} stops everything in
 * reverse order; no child process outlives it.
 *
 * <p>The job keeps one document per customer and day ({@code window.mode TUMBLING}, {@code
 * window.size 1 d}), published {@value #UPDATE_INTERVAL} after new events while the day is open
 * ({@code window.update-interval}), so whatever is published shows up in searches within seconds,
 * and a customer's day reads as one story. Other settings go through {@link Builder#jobSetting}
 * (e.g. {@code window.mode NONE} for one document per event).
 */
public final class LocalSystem implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSystem.class);

    /** The topic the job reads and {@code embedflow produce} writes by default. */
    public static final String DEFAULT_TOPIC = "events";

    /** The alias searches use: the job's default index alias. */
    public static final String INDEX_ALIAS = "embedflow";

    /** How soon an open day's document is published after new events. */
    public static final String UPDATE_INTERVAL = "2 s";

    /** Where records the job cannot handle go. */
    public static final String DEAD_LETTER_TOPIC = "embedflow-dead-letters";

    /** The document text of one event: entity, type, time and the event's salient fields. */
    private static final Duration JOB_START_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Builder settings;
    private final Consumer<String> progress;

    private KafkaBroker kafka;
    private OpenSearchNode openSearch;
    private LocalEmbeddingModel model;
    private EmbeddingServer embeddingServer;
    private RedisServer redis;
    private QaApplication qa;
    private OpenSearchConnection connection;
    private MiniCluster flink;
    private JobID jobId;
    private URI flinkWebUri;
    private boolean topicCreated;
    private int samplesPublished;
    private boolean closed;

    private LocalSystem(Builder builder) {
        this.settings = builder;
        this.progress = builder.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every part, creates the topics and the index, starts the job and, when the events
     * topic did not exist yet, publishes the sample events. On failure everything already started
     * is stopped again.
     *
     * @throws IllegalStateException when a port is taken (the message names it and its part) or a
     *     part does not start
     */
    public synchronized LocalSystem start() {
        if (closed || kafka != null) {
            throw new IllegalStateException("A LocalSystem starts once");
        }
        checkPortsFree();
        try {
            Files.createDirectories(settings.dataDir);
            if (settings.fresh) {
                LocalFiles.deleteRecursively(settings.dataDir.resolve("flink"));
            }
            progress.accept("Starting Kafka...");
            kafka =
                    KafkaBroker.builder()
                            .workDir(settings.dataDir.resolve("kafka"))
                            .port(settings.kafkaPort)
                            .controllerPort(settings.kafkaControllerPort)
                            .keepData(!settings.fresh)
                            .build()
                            .start();
            progress.accept("Starting OpenSearch with k-NN...");
            openSearch =
                    OpenSearchNode.builder()
                            .home(settings.openSearchHome)
                            .workDir(settings.dataDir.resolve("opensearch"))
                            .httpPort(settings.openSearchPort)
                            .transportPort(settings.openSearchTransportPort)
                            .keepData(!settings.fresh)
                            .build();
            openSearch.start();
            progress.accept("Starting the embedding server (all-MiniLM-L6-v2)...");
            model = LocalEmbeddingModel.acquireShared();
            embeddingServer =
                    EmbeddingServer.builder(model)
                            .host("127.0.0.1")
                            .port(settings.embeddingPort)
                            .build()
                            .start();
            progress.accept("Starting Redis (Q&A sessions)...");
            redis = RedisServer.start(redisPort(), settings.dataDir.resolve("redis"));
            connection = OpenSearchConnection.open(openSearchConfig());
            topicCreated = createTopics();
            progress.accept("Starting the streaming job on a Flink MiniCluster...");
            startJob();
            progress.accept("Starting the Q&A service...");
            qa = QaApplication.start(qaConfiguration(), Map.of());
            if (topicCreated && settings.sampleEvents > 0) {
                progress.accept(
                        "Publishing " + settings.sampleEvents + " sample events to " + topic());
                samplesPublished = publishSamples(settings.sampleEvents);
            }
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Could not start the local system: " + e, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IllegalStateException("Could not start the local system: " + e, e);
        }
    }

    /** Kafka's {@code bootstrap.servers}. */
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public URI openSearchUri() {
        return openSearch.httpUri();
    }

    /** The embedding server's base URI (the API is under {@code /v1}). */
    public URI embeddingBaseUri() {
        return embeddingServer.baseUri();
    }

    /** The Q&A service: its page, its OpenAI-compatible API under {@code /v1}. */
    public URI qaUri() {
        return URI.create("http://localhost:" + qa.port());
    }

    /** Redis, where the Q&A service keeps sessions. */
    public String redisUrl() {
        return redis.url();
    }

    /**
     * The Q&A service's settings: this system's OpenSearch and Redis, the local model for query
     * embeddings and extractive answers, no API keys (it listens on 127.0.0.1 only).
     */
    public Configuration qaConfiguration() {
        Configuration config = new Configuration();
        config.setString("opensearch.hosts", openSearch.httpUri().toString());
        config.set(QaOptions.INDEX, INDEX_ALIAS);
        config.set(QaOptions.HOST, "127.0.0.1");
        config.set(QaOptions.PORT, settings.qaPort);
        config.set(QaOptions.REDIS_URL, redis.url());
        settings.qaSettings.forEach(config::setString);
        return config;
    }

    private int redisPort() {
        return settings.redisPort == 0 ? FreePorts.pickOne() : settings.redisPort;
    }

    /** Flink's web UI and REST API. */
    public URI flinkWebUri() {
        return flinkWebUri;
    }

    public String topic() {
        return settings.topic;
    }

    public Path dataDir() {
        return settings.dataDir;
    }

    /** Whether {@link #start()} created the events topic (false: it was kept from a last run). */
    public boolean topicCreated() {
        return topicCreated;
    }

    /** How many sample events {@link #start()} published (0 when the topic was kept). */
    public int samplesPublished() {
        return samplesPublished;
    }

    /** The job settings the streaming job runs with (no secrets: the local parts need none). */
    public Configuration jobConfiguration() {
        Configuration config = new Configuration();
        config.setString("source.bootstrap-servers", kafka.bootstrapServers());
        config.setString("source.topics", settings.topic);
        config.setString("source.group-id", "embedflow-local");
        config.setString("window.mode", "TUMBLING");
        config.setString("window.size", "1 d");
        config.setString("window.update-interval", UPDATE_INTERVAL);
        config.setString("embedding.provider", "openai");
        config.setString("embedding.base-url", embeddingServer.baseUri().toString());
        config.setString("embedding.model", LocalEmbeddingModel.MODEL_ID);
        config.setString("opensearch.hosts", openSearch.httpUri().toString());
        config.setString("opensearch.index.replicas", "0");
        config.setString("dead-letter.topic", DEAD_LETTER_TOPIC);
        config.setString("embedflow.job-name", "EmbedFlow local");
        // Offsets are committed on checkpoints: a restart goes on where the last run stopped.
        config.setString("execution.checkpointing.interval", "5 s");
        config.setString(
                "execution.checkpointing.dir",
                settings.dataDir.resolve("flink/checkpoints").toUri().toString());
        settings.jobSettings.forEach(config::setString);
        if ("NONE".equalsIgnoreCase(config.getString("window.mode", ""))) {
            config.removeKey("window.update-interval");
        }
        if ("NONE".equalsIgnoreCase(config.getString("window.mode", ""))
                && !config.containsKey("window.template")
                && !config.containsKey("window.template-file")) {
            // One event per document: its first line (what searches show) says what happened.
            config.setString("window.template", DocumentRenderer.ONE_EVENT_TEMPLATE);
        }
        return config;
    }

    /** Publishes {@code count} sample events (see {@link SampleBusiness}) and returns the count. */
    public int publishSamples(int count) throws IOException {
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(10));
        List<String> events = new SampleBusiness(42, start).events(count, 25);
        return publish(String.join("\n", events)).sent();
    }

    /** Publishes JSON lines to the events topic, as {@code embedflow produce} does. */
    public EventPublisher.Result publish(String jsonLines) throws IOException {
        try (EventPublisher publisher =
                        EventPublisher.connect(
                                kafka.bootstrapServers(),
                                settings.topic,
                                EventPublisher.DEFAULT_KEY_POINTER);
                BufferedReader reader = new BufferedReader(new StringReader(jsonLines))) {
            return publisher.publish(reader);
        }
    }

    /** Documents in the index now (chunks count one each). */
    public long documentCount() throws IOException {
        connection.client().indices().refresh(r -> r.index(INDEX_ALIAS));
        return connection.client().count(c -> c.index(INDEX_ALIAS)).count();
    }

    /**
     * How many events the index's documents cover: the sum of {@code metadata.event_count} over
     * documents that are not a later chunk of another (each window counted once). With {@code
     * window.id-mode LATEST} an entity's older windows are overwritten, so this counts only its
     * latest.
     */
    public long eventsIndexed() throws IOException {
        return new SemanticSearch(connection).eventsCovered(INDEX_ALIAS, "");
    }

    /**
     * Waits until the documents cover at least {@code events} events ({@link #eventsIndexed()}).
     *
     * @return the count reached
     * @throws IllegalStateException on timeout or when the job stopped
     */
    public long awaitEvents(long events, Duration timeout) throws IOException {
        return await(events, "events", this::eventsIndexed, timeout);
    }

    /**
     * Waits until the index holds at least {@code documents} documents.
     *
     * @return the count reached
     * @throws IllegalStateException on timeout or when the job stopped
     */
    public long awaitDocuments(long documents, Duration timeout) throws IOException {
        return await(documents, "documents", this::documentCount, timeout);
    }

    /** A count of the index, read again until it is high enough. */
    @FunctionalInterface
    private interface Count {
        long read() throws IOException;
    }

    private long await(long wanted, String what, Count count, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long reached = count.read();
        while (reached < wanted) {
            problem()
                    .ifPresent(
                            p -> {
                                throw new IllegalStateException(p);
                            });
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Only "
                                + reached
                                + " of "
                                + wanted
                                + " "
                                + what
                                + " became searchable within "
                                + timeout
                                + "; see the job in "
                                + flinkWebUri
                                + " and the dead-letter topic "
                                + DEAD_LETTER_TOPIC);
            }
            LocalFiles.sleep(500, "waiting");
            reached = count.read();
        }
        return reached;
    }

    /** A semantic search over the index, the query embedded by the local model. */
    public List<SearchHit> search(String query, int k) {
        float[] vector = model.embed(query).vector();
        return new SemanticSearch(connection)
                .search(INDEX_ALIAS, SearchQuery.builder().text(query).vector(vector).k(k).build());
    }

    /**
     * What is wrong, if something is: a server process that exited or a job that ended. Empty while
     * everything runs.
     */
    public Optional<String> problem() {
        if (!kafka.isRunning()) {
            return Optional.of("The Kafka broker exited; its log: " + kafka.workDir());
        }
        if (!openSearch.isRunning()) {
            return Optional.of("OpenSearch exited; its log: " + openSearch.consoleLog());
        }
        try {
            JobStatus status = flink.getJobStatus(jobId).get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                return Optional.of(
                        "The streaming job ended ("
                                + status
                                + "): "
                                + jobFailure().orElse("no failure reported"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.of("Flink does not answer: " + e);
        }
        return Optional.empty();
    }

    /**
     * The processes this system started (the Kafka and OpenSearch servers and whatever they
     * started), while they run.
     */
    public List<ProcessHandle> childProcesses() {
        List<ProcessHandle> processes = new ArrayList<>();
        for (var pid : List.of(kafka.pid(), openSearch.pid())) {
            pid.ifPresent(
                    p ->
                            ProcessHandle.of(p)
                                    .ifPresent(
                                            handle -> {
                                                processes.add(handle);
                                                handle.descendants().forEach(processes::add);
                                            }));
        }
        return processes;
    }

    /** Every port in use: part name to port. */
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("Kafka", kafka.port());
        ports.put("OpenSearch", openSearch.httpPort());
        ports.put("OpenSearch transport", openSearch.transportPort());
        ports.put("embedding server", embeddingServer.port());
        ports.put("Flink web UI", flinkWebUri.getPort());
        ports.put("Redis", redis.port());
        ports.put("Q&A service", qa.port());
        return ports;
    }

    /**
     * Stops the Q&A service and the job, then Redis, the embedding server, OpenSearch and Kafka
     * (each gets up to 30 s before it is killed). Data stays in the data directory. Safe to call
     * more than once.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (qa != null) {
            quietly("the Q&A service", qa::close);
        }
        if (flink != null) {
            if (jobId != null) {
                try {
                    flink.cancelJob(jobId).get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    flink.requestJobResult(jobId).get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warn("Could not cancel the streaming job cleanly: {}", e.toString());
                }
            }
            quietly("Flink", () -> flink.closeAsync().get(60, TimeUnit.SECONDS));
        }
        if (connection != null) {
            quietly("the OpenSearch client", connection::close);
        }
        if (redis != null) {
            quietly("Redis", redis::close);
        }
        if (embeddingServer != null) {
            quietly("the embedding server", embeddingServer::close);
        }
        if (model != null) {
            quietly("the embedding model", model::close);
        }
        if (openSearch != null) {
            quietly("OpenSearch", openSearch::close);
        }
        if (kafka != null) {
            quietly("Kafka", kafka::close);
        }
    }

    private void startJob() throws Exception {
        Configuration jobConfig = jobConfiguration();
        StreamingJob.Prepared prepared = StreamingJob.prepare(jobConfig);

        Configuration clusterConfig = new Configuration(jobConfig);
        clusterConfig.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        clusterConfig.set(RestOptions.ADDRESS, "127.0.0.1");
        clusterConfig.set(RestOptions.BIND_PORT, Integer.toString(settings.flinkUiPort));
        clusterConfig.set(TaskManagerOptions.NUM_TASK_SLOTS, settings.parallelism);
        flink =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(clusterConfig)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(settings.parallelism)
                                .build());
        flink.start();
        flinkWebUri = flink.getRestAddress().get(30, TimeUnit.SECONDS);

        StreamExecutionEnvironment env = new StreamExecutionEnvironment(jobConfig);
        env.setParallelism(settings.parallelism);
        StreamingJob.build(env, jobConfig, prepared);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobConfig.get(StreamingJob.JOB_NAME));
        JobGraph jobGraph = graph.getJobGraph();
        jobId = flink.submitJob(jobGraph).get(30, TimeUnit.SECONDS).getJobID();
        awaitJobRunning();
    }

    private void awaitJobRunning() throws Exception {
        long deadline = System.nanoTime() + JOB_START_TIMEOUT.toNanos();
        while (true) {
            JobStatus status = flink.getJobStatus(jobId).get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException(
                        "The streaming job ended at start-up ("
                                + status
                                + "): "
                                + jobFailure().orElse("no failure reported"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "The streaming job was still " + status + " after " + JOB_START_TIMEOUT);
            }
            LocalFiles.sleep(200, "waiting");
        }
    }

    private Optional<String> jobFailure() {
        try {
            return flink.requestJobResult(jobId)
                    .get(10, TimeUnit.SECONDS)
                    .getSerializedThrowable()
                    .map(t -> t.getFullStringifiedStackTrace().lines().findFirst().orElse(""));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Creates the events and dead-letter topics if missing; true if the events topic was. */
    private boolean createTopics() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            if (!existing.contains(settings.topic)) {
                missing.add(new NewTopic(settings.topic, settings.partitions, (short) 1));
            }
            if (!existing.contains(DEAD_LETTER_TOPIC)) {
                missing.add(new NewTopic(DEAD_LETTER_TOPIC, 1, (short) 1));
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            return !existing.contains(settings.topic);
        }
    }

    private OpenSearchConnectionConfig openSearchConfig() {
        Configuration config = new Configuration();
        config.setString("opensearch.hosts", openSearch.httpUri().toString());
        return OpenSearchConnectionConfig.fromConfiguration(config);
    }

    private void checkPortsFree() {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put("Kafka (--kafka-port)", settings.kafkaPort);
        wanted.put("the Kafka controller (--kafka-controller-port)", settings.kafkaControllerPort);
        wanted.put("OpenSearch (--opensearch-port)", settings.openSearchPort);
        wanted.put(
                "OpenSearch transport (--opensearch-transport-port)",
                settings.openSearchTransportPort);
        wanted.put("the embedding server (--embedding-port)", settings.embeddingPort);
        wanted.put("the Flink web UI (--flink-ui-port)", settings.flinkUiPort);
        wanted.put("Redis (--redis-port)", settings.redisPort);
        wanted.put("the Q&A service (--qa-port)", settings.qaPort);
        List<String> taken = new ArrayList<>();
        wanted.forEach(
                (part, port) -> {
                    if (port != 0 && FreePorts.isTaken(port)) {
                        taken.add("port " + port + " for " + part);
                    }
                });
        if (!taken.isEmpty()) {
            throw new IllegalStateException(
                    "Already in use on 127.0.0.1: "
                            + String.join(", ", taken)
                            + ". Is another `embedflow local` (or Kafka, OpenSearch, Flink) running?"
                            + " Stop it, or choose other ports with the options named.");
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("Could not stop {} cleanly: {}", what, e.toString());
        }
    }

    /**
     * Settings of a {@link LocalSystem}, checked once by {@link #build()}. Ports default to the
     * usual ones (Kafka 9092, OpenSearch 9200, embeddings 8090, Flink 8081); 0 picks a free port.
     */
    public static final class Builder {
        private Path dataDir;
        private Path openSearchHome;
        private int kafkaPort = 9092;
        private int kafkaControllerPort = 9093;
        private int openSearchPort = 9200;
        private int openSearchTransportPort = 9300;
        private int embeddingPort = 8090;
        private int flinkUiPort = 8081;
        private int redisPort = 6379;
        private int qaPort = 8080;
        private boolean fresh;
        private String topic = DEFAULT_TOPIC;
        private int partitions = 2;
        private int parallelism = 1;
        private int sampleEvents = 300;
        private final Map<String, String> jobSettings = new LinkedHashMap<>();
        private final Map<String, String> qaSettings = new LinkedHashMap<>();
        private Consumer<String> progress = LOG::info;

        private Builder() {}

        /** Required: where Kafka, OpenSearch and Flink keep their data between runs. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * Required: the OpenSearch distribution with k-NN ({@code
         * src/dev-servers/target/opensearch-<version>}).
         */
        public Builder openSearchHome(Path openSearchHome) {
            this.openSearchHome = openSearchHome;
            return this;
        }

        public Builder kafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        public Builder kafkaControllerPort(int port) {
            this.kafkaControllerPort = port;
            return this;
        }

        public Builder openSearchPort(int port) {
            this.openSearchPort = port;
            return this;
        }

        public Builder openSearchTransportPort(int port) {
            this.openSearchTransportPort = port;
            return this;
        }

        public Builder embeddingPort(int port) {
            this.embeddingPort = port;
            return this;
        }

        public Builder flinkUiPort(int port) {
            this.flinkUiPort = port;
            return this;
        }

        public Builder redisPort(int port) {
            this.redisPort = port;
            return this;
        }

        public Builder qaPort(int port) {
            this.qaPort = port;
            return this;
        }

        /** Every port 0: each part takes a free one (for tests). */
        public Builder anyFreePorts() {
            return kafkaPort(0)
                    .kafkaControllerPort(0)
                    .openSearchPort(0)
                    .openSearchTransportPort(0)
                    .embeddingPort(0)
                    .flinkUiPort(0)
                    .redisPort(0)
                    .qaPort(0);
        }

        /** Wipe the data of earlier runs (topics, index, checkpoints) before starting. */
        public Builder fresh(boolean fresh) {
            this.fresh = fresh;
            return this;
        }

        /** The events topic (default {@value #DEFAULT_TOPIC}). */
        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Partitions of a new events topic (default 2). */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** The job's parallelism (default 1). */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Sample events published into a new events topic (default 300; 0: none). */
        public Builder sampleEvents(int sampleEvents) {
            this.sampleEvents = sampleEvents;
            return this;
        }

        /** A job setting that overrides the local defaults, e.g. {@code window.mode}. */
        public Builder jobSetting(String key, String value) {
            this.jobSettings.put(key, value);
            return this;
        }

        /**
         * A Q&A service setting that overrides the local defaults, e.g. {@code qa.llm.base-url}.
         */
        public Builder qaSetting(String key, String value) {
            this.qaSettings.put(key, value);
            return this;
        }

        /** Where start-up progress lines go (default: the log). */
        public Builder progress(Consumer<String> progress) {
            this.progress = progress;
            return this;
        }

        public LocalSystem build() {
            Objects.requireNonNull(dataDir, "dataDir is required");
            Objects.requireNonNull(openSearchHome, "openSearchHome is required");
            dataDir = dataDir.toAbsolutePath();
            if (!Files.isExecutable(openSearchHome.resolve("bin/opensearch"))) {
                throw new IllegalArgumentException(
                        "No OpenSearch distribution at "
                                + openSearchHome
                                + " (bin/opensearch is missing); `./mvnw package -DskipTests`"
                                + " assembles it in src/dev-servers/target/");
            }
            List<Integer> ports =
                    List.of(
                            kafkaPort,
                            kafkaControllerPort,
                            openSearchPort,
                            openSearchTransportPort,
                            embeddingPort,
                            flinkUiPort,
                            redisPort,
                            qaPort);
            for (int port : ports) {
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("Ports are 0..65535, got " + port);
                }
            }
            if (ports.stream().filter(p -> p != 0).distinct().count()
                    != ports.stream().filter(p -> p != 0).count()) {
                throw new IllegalArgumentException("Two parts cannot share a port: " + ports);
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("topic must not be blank");
            }
            if (partitions < 1 || parallelism < 1 || sampleEvents < 0) {
                throw new IllegalArgumentException(
                        "partitions and parallelism must be at least 1, sampleEvents at least 0");
            }
            return new LocalSystem(this);
        }
    }
}
