package dev.embedflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.devserver.EventPublisher;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.search.SemanticSearch;
import dev.embedflow.source.Event;
import dev.embedflow.source.EventFormat;
import dev.embedflow.source.EventParser;
import dev.embedflow.source.SourceRecord;
import dev.embedflow.stream.StreamingJob;
import dev.embedflow.window.DocumentIds;
import dev.embedflow.window.DocumentRenderer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Rows 2a and 2b: the real streaming job ({@code StreamingJob.prepare/build}) on the benchmark's
 * MiniCluster, one job per scenario, on an unbounded Kafka source, so that Flink's job start is
 * outside every timing.
 *
 * <ol>
 *   <li>The job starts on an empty topic; once all its tasks run and its sink has made the index,
 *       the benchmark waits a second.
 *   <li>Throughput: the events go to the topic at full speed; the clock runs from the first send to
 *       the last index operation OpenSearch counts for the index ({@code _stats} {@code
 *       indexing.index_total}, polled every 50 ms, so refreshes do not matter), taken once the
 *       count (beyond the operations before the phase) has reached the expected documents and
 *       stayed put for 1.5 s. A TUMBLING scenario expects one document per window, or one per chunk
 *       of a window whose text the job split to fit the model ({@link #windowDocuments}).
 *   <li>Freshness: after a refresh that makes the throughput phase's documents searchable, events
 *       go out at a steady rate, each stamped with the wall-clock time of its send as its event
 *       time; a poller searches for the documents not yet seen (an {@code ids} query every 100 ms,
 *       so what a search finds, after OpenSearch's refresh) and records when each first appears.
 *       Freshness is that time minus the event time.
 * </ol>
 */
final class StreamingBenchmark {

    /** Window of the tumbling scenarios; the freshness of a tumbling scenario includes it. */
    static final Duration TUMBLING_WINDOW = Duration.ofSeconds(2);

    /** The watermark's bounded out-of-orderness in every scenario. */
    static final Duration OUT_OF_ORDERNESS = Duration.ofMillis(200);

    /** Entities of the tumbling scenarios' events, so that a window holds several per entity. */
    static final int TUMBLING_ENTITIES = 50;

    /**
     * Spacing of the tumbling throughput events' times: 200 events per 2 s window, ~4 per entity.
     */
    static final Duration TUMBLING_EVENT_SPACING = Duration.ofMillis(10);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL_THROUGHPUT = Duration.ofMillis(50);
    private static final Duration POLL_FRESHNESS = Duration.ofMillis(100);
    private static final Duration SETTLED = Duration.ofMillis(1_500);
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(4);

    enum Window {
        NONE,
        TUMBLING,
        /** 1-hour windows published while open every {@link #UPDATE_INTERVAL} (2c). */
        HOURLY_UPDATES,
        /** 1-hour windows, no lateness, a short unchanged-filter TTL (8: state size). */
        HOURLY_SHORT_TTL
    }

    /** The update interval of the 2c scenario. */
    static final Duration UPDATE_INTERVAL = Duration.ofSeconds(2);

    /** The unchanged-filter TTL of the state-size scenario: its memory of documents. */
    static final Duration SHORT_TTL = Duration.ofSeconds(20);

    /**
     * One scenario.
     *
     * @param name a short name for topics and indexes
     * @param embeddingBase the OpenAI-compatible server's base URL
     * @param model the model to ask for
     * @param requests embedding requests so far, counted where they are answered
     * @param texts texts embedded so far
     * @param indexBase the index family (base name and alias) the job writes to; it may exist
     * @param settings job settings over the benchmark's own (for instance a provider's rate caps)
     */
    record Scenario(
            String name,
            Window window,
            URI embeddingBase,
            String model,
            LongSupplier requests,
            LongSupplier texts,
            String indexBase,
            Map<String, String> settings) {

        Scenario {
            settings = Map.copyOf(settings);
        }

        /** A scenario writing to the index family {@code indexBase}, with the default settings. */
        Scenario(
                String name,
                Window window,
                URI embeddingBase,
                String model,
                LongSupplier requests,
                LongSupplier texts,
                String indexBase) {
            this(name, window, embeddingBase, model, requests, texts, indexBase, Map.of());
        }

        /** A scenario writing to an index family of its own, {@code b<name>}. */
        Scenario(
                String name,
                Window window,
                URI embeddingBase,
                String model,
                LongSupplier requests,
                LongSupplier texts) {
            this(name, window, embeddingBase, model, requests, texts, "b" + name);
        }

        /** This scenario with job settings over the benchmark's own. */
        Scenario with(Map<String, String> jobSettings) {
            Map<String, String> all = new java.util.HashMap<>(settings);
            all.putAll(jobSettings);
            return new Scenario(
                    name, window, embeddingBase, model, requests, texts, indexBase, all);
        }
    }

    /**
     * What a scenario measured.
     *
     * @param events events of the throughput phase
     * @param documents index operations OpenSearch counted for them (documents written)
     * @param seconds throughput phase: first send to last index operation
     * @param requests embedding requests of the throughput phase
     * @param texts texts embedded in the throughput phase
     * @param freshness event time to searchable, per event of the freshness phase
     * @param freshnessRate events per second of the freshness phase
     * @param profile the JFR summary of the throughput phase, when it was profiled
     * @param cpu the processes' CPU time in the throughput phase ({@link CpuMeter#describe})
     */
    record Result(
            long events,
            long documents,
            double seconds,
            long requests,
            long texts,
            Latencies freshness,
            double freshnessRate,
            List<String> profile,
            String cpu) {

        double eventsPerSecond() {
            return events / seconds;
        }

        double documentsPerSecond() {
            return documents / seconds;
        }

        double requestsPerText() {
            return texts == 0 ? 0 : (double) requests / texts;
        }

        /**
         * Texts embedded beyond one per document written: requests the job sent again after they
         * timed out ({@code embedding.timeout.request}) or failed.
         */
        long textsAgain() {
            return Math.max(0, texts - documents);
        }
    }

    private final MiniCluster flink;
    private final String bootstrapServers;
    private final URI openSearch;
    private final OpenSearchConnection connection;
    private final int sinkBulkActions;
    private final Path workDir;
    private final CpuMeter cpu;
    private final Consumer<String> progress;

    StreamingBenchmark(
            MiniCluster flink,
            String bootstrapServers,
            URI openSearch,
            OpenSearchConnection connection,
            int sinkBulkActions,
            Path workDir,
            CpuMeter cpu,
            Consumer<String> progress) {
        this.flink = flink;
        this.bootstrapServers = bootstrapServers;
        this.openSearch = openSearch;
        this.connection = connection;
        this.sinkBulkActions = sinkBulkActions;
        this.workDir = workDir;
        this.cpu = cpu;
        this.progress = progress;
    }

    /**
     * Runs one scenario: {@code events} for throughput (for TUMBLING, their times are rewritten,
     * see {@link #tumblingTimes}), then for {@code freshnessSeconds} the first of {@code
     * freshnessEvents} at a steady rate: 0.3x the measured events/s, at most {@code
     * maxFreshnessRate}, at least 2 per second.
     */
    Result run(
            Scenario scenario,
            List<String> events,
            List<String> freshnessEvents,
            int freshnessSeconds,
            double maxFreshnessRate,
            boolean profile)
            throws Exception {
        String topic = "bench-" + scenario.name();
        KafkaBaseline.createTopic(bootstrapServers, topic);
        String index = scenario.indexBase();
        long submitted = System.nanoTime();
        JobID job = submit(scenario, topic, index);
        try (KafkaProducer<String, String> producer = producer()) {
            awaitReady(job, index);
            progress.accept(
                    String.format(
                            Locale.ROOT,
                            "    job running after %.1f s",
                            (System.nanoTime() - submitted) / 1e9));

            // Throughput.
            List<String> throughput = events;
            // The documents the job writes: one per event, or what the tumbling windows make.
            long atLeast = events.size();
            Supplier<OptionalLong> written = () -> OptionalLong.of(events.size());
            if (scenario.window() == Window.TUMBLING) {
                long base =
                        System.currentTimeMillis()
                                - events.size() * TUMBLING_EVENT_SPACING.toMillis()
                                - 60_000;
                throughput = tumblingTimes(events, base, TUMBLING_EVENT_SPACING.toMillis());
                Set<String> windowIds = windows(throughput, TUMBLING_WINDOW.toMillis());
                atLeast = windowIds.size();
                written = () -> windowDocuments(index, windowIds);
                long last = eventTime(throughput.get(throughput.size() - 1));
                // One event beyond the last window so that the watermark closes it.
                throughput = new ArrayList<>(throughput);
                throughput.add(
                        withTimeAndSubject(
                                throughput.get(0),
                                last
                                        + 2 * TUMBLING_WINDOW.toMillis()
                                        + 2 * OUT_OF_ORDERNESS.toMillis(),
                                "bench-flush",
                                "bench-flush-" + scenario.name()));
            }
            // Index operations before this phase: the index may hold documents already (5).
            long operationsBefore = indexOperations(index);
            long requestsBefore = scenario.requests().getAsLong();
            long textsBefore = scenario.texts().getAsLong();
            Profile.Session recording =
                    profile ? Profile.start(workDir, "bench-" + scenario.name()) : null;
            List<String> summary = List.of();
            double seconds;
            long documents;
            Map<String, Double> cpuBefore = cpu.snapshot();
            Map<String, Double> cpuAfter;
            try {
                long start = System.nanoTime();
                for (String event : throughput) {
                    send(producer, topic, event);
                }
                producer.flush();
                long[] done = awaitIndexed(index, operationsBefore, atLeast, written, start);
                documents = done[0];
                seconds = (done[1] - start) / 1e9;
                cpuAfter = cpu.snapshot();
            } finally {
                if (recording != null) {
                    summary = Profile.summarize(recording.stop(), 6);
                    recording.close();
                }
            }
            long requests = scenario.requests().getAsLong() - requestsBefore;
            long texts = scenario.texts().getAsLong() - textsBefore;
            double freshnessRate =
                    Math.max(2, Math.min(maxFreshnessRate, 0.3 * events.size() / seconds));
            String cpuUsed =
                    CpuMeter.describe(
                            cpuBefore,
                            cpuAfter,
                            seconds,
                            Runtime.getRuntime().availableProcessors());
            progress.accept(
                    String.format(
                                    Locale.ROOT,
                                    "    %d events, %d documents in %.1f s (CPU: %s)",
                                    events.size(),
                                    documents,
                                    seconds,
                                    cpuUsed)
                            + (freshnessSeconds > 0
                                    ? String.format(
                                            Locale.ROOT,
                                            "; measuring freshness at %.0f events/s...",
                                            freshnessRate)
                                    : ""));

            // The burst's documents become searchable first (the refresh builds their segments'
            // HNSW graphs), so freshness measures the steady stream, not the burst's backlog.
            connection.sendOk("POST", "/" + index + "/_refresh", null);
            int freshnessCount =
                    (int)
                            Math.min(
                                    freshnessEvents.size(),
                                    Math.ceil(freshnessRate * freshnessSeconds));
            long freshnessStart = System.nanoTime();
            Latencies freshness =
                    freshness(
                            scenario,
                            producer,
                            topic,
                            index,
                            freshnessEvents.subList(0, freshnessCount),
                            freshnessRate);
            if (freshnessCount > 0) {
                progress.accept(
                        String.format(
                                Locale.ROOT,
                                "    freshness %s over %d events in %.1f s",
                                freshness.summary(),
                                freshness.count(),
                                (System.nanoTime() - freshnessStart) / 1e9));
            }
            return new Result(
                    events.size(),
                    documents,
                    seconds,
                    requests,
                    texts,
                    freshness,
                    freshnessRate,
                    summary,
                    cpuUsed);
        } finally {
            long cancelled = System.nanoTime();
            flink.cancelJob(job).get(30, TimeUnit.SECONDS);
            flink.requestJobResult(job).get(60, TimeUnit.SECONDS);
            progress.accept(
                    String.format(
                            Locale.ROOT,
                            "    job cancelled in %.1f s",
                            (System.nanoTime() - cancelled) / 1e9));
        }
    }

    /**
     * 2c: events of {@code entities} entities sent at {@code rate} per second for {@code seconds}
     * with their time set to now, into 1-hour windows published every {@link #UPDATE_INTERVAL}
     * while open; per event, the time until its window's document in the index counts it.
     */
    Latencies updateFreshness(
            Scenario scenario, List<String> template, int entities, double rate, int seconds)
            throws Exception {
        String topic = "bench-" + scenario.name();
        KafkaBaseline.createTopic(bootstrapServers, topic);
        String index = scenario.indexBase();
        JobID job = submit(scenario, topic, index);
        try (KafkaProducer<String, String> producer = producer()) {
            awaitReady(job, index);
            Map<String, List<long[]>> pending = new HashMap<>();
            Map<String, Integer> counts = new HashMap<>();
            List<Long> latencies = new ArrayList<>();
            EventParser parser = new EventParser(EventFormat.cloudEvents());
            long intervalNanos = (long) (1e9 / rate);
            int total = (int) Math.round(rate * seconds);
            long start = System.nanoTime();
            long lastPoll = 0;
            int sent = 0;
            long deadline = Long.MAX_VALUE;
            while (sent < total || !pending.isEmpty()) {
                long now = System.nanoTime();
                while (sent < total && sent < (now - start) / intervalNanos + 1) {
                    long time = System.currentTimeMillis();
                    String event =
                            withTimeAndSubject(
                                    template.get(sent % template.size()),
                                    time,
                                    "bench-u-" + scenario.name() + "-" + sent % entities,
                                    "bench-u-" + scenario.name() + "-e" + sent);
                    Event parsed = parse(parser, event);
                    String id =
                            DocumentIds.window(
                                    parsed.getEntity(), time - Math.floorMod(time, 3_600_000L));
                    int ordinal = counts.merge(id, 1, Integer::sum);
                    pending.computeIfAbsent(id, k -> new ArrayList<>())
                            .add(new long[] {time, ordinal});
                    send(producer, topic, event);
                    sent++;
                    if (sent == total) {
                        deadline = now + PHASE_TIMEOUT.toNanos();
                    }
                }
                producer.flush();
                if (now - lastPoll >= POLL_FRESHNESS.toNanos() && !pending.isEmpty()) {
                    lastPoll = now;
                    pollCounts(index, pending, latencies);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            pending.size()
                                    + " documents not up to date 4 minutes after the events");
                }
                Thread.sleep(5);
            }
            return new Latencies(latencies);
        } finally {
            cancel(job);
        }
    }

    private void cancel(JobID job) throws Exception {
        flink.cancelJob(job).get(30, TimeUnit.SECONDS);
        flink.requestJobResult(job).get(60, TimeUnit.SECONDS);
    }

    /** One search: each event whose document already counts it is up to date. */
    private void pollCounts(String index, Map<String, List<long[]>> pending, List<Long> latencies) {
        List<String> query = new ArrayList<>();
        for (String id : pending.keySet()) {
            query.add(id);
            query.add(DocumentIds.chunk(id, 0));
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("size", query.size());
        body.putArray("_source").add("metadata.event_count");
        body.putObject("query").putObject("ids").putPOJO("values", query);
        JsonNode hits = connection.sendOk("POST", "/" + index + "/_search", body);
        long seenAt = System.currentTimeMillis();
        for (JsonNode hit : hits.path("hits").path("hits")) {
            String document = hit.path("_id").asText().replaceFirst("#0$", "");
            int counted = hit.path("_source").path("metadata").path("event_count").asInt();
            List<long[]> waiting = pending.get(document);
            if (waiting == null) {
                continue;
            }
            waiting.removeIf(
                    e -> {
                        if (e[1] <= counted) {
                            latencies.add(seenAt - e[0]);
                            return true;
                        }
                        return false;
                    });
            if (waiting.isEmpty()) {
                pending.remove(document);
            }
        }
    }

    /** State bytes (a canonical savepoint's size) per entity, at three moments. */
    record StateSize(int entities, long open, long closed, long expired) {}

    /**
     * 8: {@code events} of {@code entities} entities within the last hour into 1-hour windows: a
     * savepoint while the windows are open; one after an event an hour ahead closed them (what the
     * job still remembers per document); one after {@link #SHORT_TTL} more (what is left once that
     * memory expired).
     */
    StateSize stateSize(Scenario scenario, List<String> events, int entities, Path savepoints)
            throws Exception {
        String topic = "bench-" + scenario.name();
        KafkaBaseline.createTopic(bootstrapServers, topic);
        String index = scenario.indexBase();
        JobID job = submit(scenario, topic, index);
        try (KafkaProducer<String, String> producer = producer()) {
            awaitReady(job, index);
            long hour = 3_600_000L;
            long now = System.currentTimeMillis();
            long base = now - Math.floorMod(now, hour) - hour; // the previous full hour
            long spacing = Math.max(1, (hour - 60_000) / events.size());
            List<String> sent = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                sent.add(
                        withTimeAndSubject(
                                events.get(i),
                                base + i * spacing,
                                "bench-s-" + i % entities,
                                "bench-s-e" + i));
            }
            for (String event : sent) {
                send(producer, topic, event);
            }
            producer.flush();
            awaitEventsIndexed(index, "bench-s-", sent.size());
            long open = savepointBytes(job, savepoints.resolve("open"));
            // An event hours ahead moves the watermark past every window: they close. Its own
            // window's update shows that it (and the watermark after it) went through.
            send(
                    producer,
                    topic,
                    withTimeAndSubject(
                            events.get(0), base + 3 * hour, "bench-s-flush", "bench-s-flush"));
            producer.flush();
            awaitEventsIndexed(index, "bench-s-flush", 1);
            Thread.sleep(2_000);
            long closed = savepointBytes(job, savepoints.resolve("closed"));
            Thread.sleep(SHORT_TTL.plusSeconds(2).toMillis());
            long expired = savepointBytes(job, savepoints.resolve("expired"));
            return new StateSize(entities, open, closed, expired);
        } finally {
            cancel(job);
        }
    }

    /**
     * Until the documents of entities starting with {@code prefix} count {@code events} events (the
     * sum of {@code metadata.event_count} over first chunks).
     */
    private void awaitEventsIndexed(String index, String prefix, long events) throws Exception {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        SemanticSearch search = new SemanticSearch(connection);
        long counted = 0;
        while (counted < events) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "The index counts " + counted + " of " + events + " events");
            }
            Thread.sleep(POLL_THROUGHPUT.toMillis() * 4);
            counted = search.eventsCovered(index, prefix);
        }
    }

    /** The bytes of a canonical savepoint of the running job. */
    private long savepointBytes(JobID job, Path dir) throws Exception {
        String path =
                flink.triggerSavepoint(
                                job,
                                dir.toUri().toString(),
                                false,
                                org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
        Path savepoint =
                Path.of(java.net.URI.create(path.startsWith("file:") ? path : "file:" + path));
        try (var files = java.nio.file.Files.walk(savepoint)) {
            return files.filter(java.nio.file.Files::isRegularFile)
                    .mapToLong(
                            f -> {
                                try {
                                    return java.nio.file.Files.size(f);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        }
    }

    private JobID submit(Scenario scenario, String topic, String index) throws Exception {
        Configuration config = new Configuration();
        config.setString("source.bootstrap-servers", bootstrapServers);
        config.setString("source.topics", topic);
        config.setString("source.group-id", "embedflow-" + topic);
        config.setString("source.starting-offsets", "EARLIEST");
        config.setString("source.max-out-of-orderness", OUT_OF_ORDERNESS.toMillis() + " ms");
        switch (scenario.window()) {
            case NONE -> {
                config.setString("window.mode", "NONE");
                config.setString("window.template", DocumentRenderer.ONE_EVENT_TEMPLATE);
            }
            case TUMBLING -> {
                config.setString("window.mode", "TUMBLING");
                config.setString("window.size", TUMBLING_WINDOW.toMillis() + " ms");
            }
            case HOURLY_UPDATES -> {
                config.setString("window.mode", "TUMBLING");
                config.setString("window.size", "1 h");
                config.setString("window.update-interval", UPDATE_INTERVAL.toMillis() + " ms");
            }
            case HOURLY_SHORT_TTL -> {
                config.setString("window.mode", "TUMBLING");
                config.setString("window.size", "1 h");
                config.setString("window.allowed-lateness", "0 ms");
                config.setString("window.unchanged-filter-ttl", SHORT_TTL.toMillis() + " ms");
                // Updates show when every event is in: the open windows' state is then complete.
                config.setString("window.update-interval", "1 s");
            }
        }
        config.setString("embedding.provider", "openai");
        config.setString("embedding.base-url", scenario.embeddingBase().toString());
        config.setString("embedding.model", scenario.model());
        config.setString("opensearch.hosts", openSearch.toString());
        config.setString("opensearch.index.base-name", index);
        config.setString("opensearch.index.alias", index);
        config.setString("opensearch.index.replicas", "0");
        config.setString("opensearch.sink.bulk.max-actions", Integer.toString(sinkBulkActions));
        config.setString("dead-letter.topic", "bench-dead-letters");
        // Checkpoints and savepoints to files: the JobManager's memory takes at most 5 MB of state.
        config.setString(
                "execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        scenario.settings().forEach(config::setString);
        StreamingJob.Prepared prepared = StreamingJob.prepare(config);
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(config);
        env.setParallelism(1);
        StreamingJob.build(env, config, prepared);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("EmbedFlow bench " + scenario.name());
        return flink.submitJob(graph.getJobGraph()).get(30, TimeUnit.SECONDS).getJobID();
    }

    /**
     * Until every task runs and the sink has made the index, and OpenSearch merges nothing (an
     * earlier row's merges would slow this one down); then one idle second.
     */
    void awaitReady(JobID job, String index) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            JobStatus status = flink.getJobStatus(job).get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException(
                        "The benchmark job ended before it ran: "
                                + flink.requestJobResult(job)
                                        .get(10, TimeUnit.SECONDS)
                                        .getSerializedThrowable()
                                        .map(t -> t.getFullStringifiedStackTrace())
                                        .orElse(status.toString()));
            }
            if (status == JobStatus.RUNNING
                    && allTasksRunning(flink.getExecutionGraph(job).get(10, TimeUnit.SECONDS))
                    && connection.send("HEAD", "/" + index, null).ok()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The benchmark job did not start in 2 minutes");
            }
            Thread.sleep(100);
        }
        Merges.awaitNone(connection, progress);
        Thread.sleep(1_000);
    }

    private static boolean allTasksRunning(AccessExecutionGraph graph) {
        for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
            if (vertex.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
        }
        return true;
    }

    /**
     * Polls the index's operation count until it reached {@code expected} and stayed put for {@link
     * #SETTLED}: returns {count, nanoTime of the poll that first saw the final count}.
     */
    long[] awaitIndexed(String index, long before, long expected, long start) throws Exception {
        return awaitIndexed(index, before, expected, () -> OptionalLong.of(expected), start);
    }

    /**
     * Polls the index's operation count until it reached at least {@code atLeast}, stayed put for
     * {@link #SETTLED} and reached what {@code exact} then says the job writes (empty: not known
     * yet; asked again once the count moves): returns {count, nanoTime of the poll that first saw
     * the final count}.
     */
    long[] awaitIndexed(
            String index, long before, long atLeast, Supplier<OptionalLong> exact, long start)
            throws Exception {
        long deadline = start + PHASE_TIMEOUT.toNanos();
        long count = -1;
        long changedAt = System.nanoTime();
        long asked = -1;
        OptionalLong expected = OptionalLong.empty();
        while (true) {
            long now = System.nanoTime();
            long current = indexOperations(index) - before;
            if (current != count) {
                count = current;
                changedAt = now;
            } else if (count >= atLeast && now - changedAt >= SETTLED.toNanos()) {
                if (asked != count) {
                    expected = exact.get();
                    asked = count;
                }
                if (expected.isPresent() && count >= expected.getAsLong()) {
                    return new long[] {count, changedAt};
                }
            }
            if (now > deadline) {
                throw new IllegalStateException(
                        "Only "
                                + count
                                + " of "
                                + (expected.isPresent()
                                        ? expected.getAsLong()
                                        : "at least " + atLeast)
                                + " documents indexed in "
                                + index);
            }
            Thread.sleep(POLL_THROUGHPUT.toMillis());
        }
    }

    /**
     * The documents the job writes for these windows, as their documents in the index say (a
     * realtime {@code _mget}, no refresh needed): one for a window whose text fit the model, {@code
     * metadata.chunk_count} for one split into chunks ({@code <id>#0}, {@code <id>#1}, ...); empty
     * while a window has no document yet.
     */
    OptionalLong windowDocuments(String index, Set<String> windows) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode ids = body.putArray("ids");
        for (String window : windows) {
            ids.add(window);
            ids.add(DocumentIds.chunk(window, 0));
        }
        return windowDocuments(
                windows,
                connection.sendOk(
                        "POST",
                        "/" + index + "/_mget?_source_includes=metadata.chunk_count",
                        body));
    }

    /** {@link #windowDocuments(String, Set)} of an {@code _mget} answer for those ids. */
    static OptionalLong windowDocuments(Set<String> windows, JsonNode mget) {
        Map<String, Integer> documents = new HashMap<>();
        for (JsonNode doc : mget.path("docs")) {
            if (!doc.path("found").asBoolean()) {
                continue;
            }
            String id = doc.path("_id").asText();
            if (windows.contains(id)) {
                documents.put(id, 1);
            } else {
                // A window's text over the model's token limit is split into chunks, each its own
                // document; the first one says how many.
                documents.put(
                        id.replaceFirst("#0$", ""),
                        doc.path("_source").path("metadata").path("chunk_count").asInt(1));
            }
        }
        if (!documents.keySet().containsAll(windows)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(documents.values().stream().mapToLong(Integer::longValue).sum());
    }

    long indexOperations(String index) {
        JsonNode stats = connection.sendOk("GET", "/" + index + "/_stats/indexing", null);
        return stats.path("_all").path("primaries").path("indexing").path("index_total").asLong();
    }

    private Latencies freshness(
            Scenario scenario,
            KafkaProducer<String, String> producer,
            String topic,
            String index,
            List<String> events,
            double rate)
            throws Exception {
        // One thread sends and polls: document id -> event times of the events it holds.
        Map<String, List<Long>> pending = new HashMap<>();
        List<Long> latencies = new ArrayList<>();
        EventParser parser = new EventParser(EventFormat.cloudEvents());
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        long lastPoll = 0;
        int sent = 0;
        int filler = 0;
        long deadline = Long.MAX_VALUE;
        // Sends on schedule; after the measured events, fillers keep event time moving (as a live
        // stream does) until every measured document was seen.
        while (sent < events.size() || !pending.isEmpty()) {
            long now = System.nanoTime();
            int due = (int) ((now - start) / intervalNanos) + 1;
            while (sent + filler < due) {
                long time = System.currentTimeMillis();
                if (sent < events.size()) {
                    String event =
                            withTime(
                                    events.get(sent),
                                    time,
                                    "bench-f-" + scenario.name() + "-" + sent);
                    String id = documentId(parser, event, scenario.window());
                    pending.computeIfAbsent(id, k -> new ArrayList<>()).add(time);
                    send(producer, topic, event);
                    sent++;
                    if (sent == events.size()) {
                        deadline = now + PHASE_TIMEOUT.toNanos();
                    }
                } else {
                    send(
                            producer,
                            topic,
                            withTimeAndSubject(
                                    events.get(0),
                                    time,
                                    "bench-filler",
                                    "bench-filler-" + scenario.name() + "-" + filler));
                    filler++;
                }
            }
            producer.flush();
            if (now - lastPoll >= POLL_FRESHNESS.toNanos() && !pending.isEmpty()) {
                lastPoll = now;
                poll(index, scenario.window(), pending, latencies);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        pending.size() + " documents not searchable 4 minutes after their events");
            }
            Thread.sleep(Math.max(1, Math.min(intervalNanos / 1_000_000, 20)));
        }
        return new Latencies(latencies);
    }

    /**
     * One search for the pending ids; records the latency of each event whose document appeared.
     */
    private void poll(
            String index, Window window, Map<String, List<Long>> pending, List<Long> latencies) {
        Set<String> ids = new HashSet<>(pending.keySet());
        List<String> query = new ArrayList<>();
        for (String id : ids) {
            query.add(id);
            if (window == Window.TUMBLING) {
                // A window's text may be long enough to be split: then its first chunk counts.
                query.add(DocumentIds.chunk(id, 0));
            }
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("size", query.size());
        body.put("_source", false);
        body.putObject("query").putObject("ids").putPOJO("values", query);
        JsonNode hits = connection.sendOk("POST", "/" + index + "/_search", body);
        long seenAt = System.currentTimeMillis();
        for (JsonNode hit : hits.path("hits").path("hits")) {
            String id = hit.path("_id").asText();
            String document = ids.contains(id) ? id : id.replaceFirst("#0$", "");
            List<Long> times = pending.remove(document);
            if (times != null) {
                times.forEach(t -> latencies.add(seenAt - t));
            }
        }
    }

    /** A producer with 1c's settings ({@link KafkaBaseline#PRODUCER_SETTINGS}). */
    private KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(props);
    }

    private void send(KafkaProducer<String, String> producer, String topic, String event) {
        producer.send(
                new ProducerRecord<>(
                        topic,
                        EventPublisher.keyOf(event, EventPublisher.DEFAULT_KEY_POINTER)
                                .orElse(null),
                        event));
    }

    // ---- events (pure)

    /** The events with their times rewritten: {@code base}, then {@code spacing} ms apart. */
    static List<String> tumblingTimes(List<String> events, long base, long spacing) {
        List<String> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            out.add(withTime(events.get(i), base + i * spacing, null));
        }
        return out;
    }

    /**
     * The distinct windows (entity and window start) of these events in tumbling windows of {@code
     * size} ms aligned to the epoch: the documents the job makes of them.
     */
    static Set<String> windows(List<String> events, long size) {
        EventParser parser = new EventParser(EventFormat.cloudEvents());
        Set<String> windows = new HashSet<>();
        for (String event : events) {
            Event parsed = parse(parser, event);
            long time = parsed.getEventTime();
            windows.add(DocumentIds.window(parsed.getEntity(), time - Math.floorMod(time, size)));
        }
        return windows;
    }

    /** The id of the document that holds this event (before any chunking). */
    static String documentId(EventParser parser, String event, Window window) {
        Event parsed = parse(parser, event);
        if (window == Window.NONE) {
            return DocumentIds.event(parsed.getEntity(), parsed);
        }
        long size = TUMBLING_WINDOW.toMillis();
        long time = parsed.getEventTime();
        return DocumentIds.window(parsed.getEntity(), time - Math.floorMod(time, size));
    }

    static long eventTime(String event) {
        return parse(new EventParser(EventFormat.cloudEvents()), event).getEventTime();
    }

    /** The CloudEvent with {@code time} set (and {@code id}, unless null). */
    static String withTime(String event, long time, String id) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(event);
            node.put("time", Instant.ofEpochMilli(time).toString());
            if (id != null) {
                node.put("id", id);
            }
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a JSON event: " + event, e);
        }
    }

    static String withTimeAndSubject(String event, long time, String subject, String id) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(withTime(event, time, id));
            node.put("subject", subject);
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a JSON event: " + event, e);
        }
    }

    private static Event parse(EventParser parser, String event) {
        SourceRecord record =
                parser.parse(
                        new ConsumerRecord<>(
                                "events", 0, 0, null, event.getBytes(StandardCharsets.UTF_8)));
        if (!record.isEvent()) {
            throw new IllegalArgumentException("Not an event: " + event);
        }
        return record.getEvent();
    }
}
