package dev.embedflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.embedding.local.LocalEmbeddingModel;
import dev.embedflow.embedding.server.EmbeddingServer;
import dev.embedflow.index.IndexFields;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.local.EventPublisher;
import dev.embedflow.local.KafkaBroker;
import dev.embedflow.local.LocalSystem;
import dev.embedflow.local.OpenSearchNode;
import dev.embedflow.local.SampleBusiness;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.source.Event;
import dev.embedflow.source.EventFormat;
import dev.embedflow.source.EventParser;
import dev.embedflow.source.SourceRecord;
import dev.embedflow.stream.StreamingJob;
import dev.embedflow.window.DocumentRenderer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The benchmark run behind {@code embedflow bench}: starts Kafka, OpenSearch with k-NN, the
 * embedding server with the local model and a zero-cost embedding stub, all on free ports in a
 * temporary directory; measures the raw limits and EmbedFlow's streaming job against them; stops
 * everything again. Each measurement runs once, after a short warm-up.
 *
 * <ul>
 *   <li>1a: the embedding server, direct batched requests (64 texts, 2 in flight).
 *   <li>1b: OpenSearch {@code _bulk} of the same documents with precomputed vectors (500 per bulk)
 *       into a fresh lucene k-NN index.
 *   <li>2b: the streaming job (bounded Kafka source, window NONE) with the zero-cost embedder,
 *       against 1b.
 *   <li>2a: the same with the real model behind the embedding server, against 1a.
 * </ul>
 */
public final class Benchmark {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int EMBED_BATCH = 64;
    private static final int EMBED_CONCURRENCY = 2;
    private static final int BULK_SIZE = 500;
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);

    /**
     * Sizes of one run.
     *
     * @param batchDocuments the batch job's corpus (4)
     * @param growthSmall documents in the smaller pre-filled index (5a)
     * @param growthLarge documents in the larger pre-filled index (5b)
     * @param growthDocuments new documents indexed into each (5), at most {@code documents}
     */
    public record Sizes(
            int modelTexts,
            int documents,
            int batchDocuments,
            int growthSmall,
            int growthLarge,
            int growthDocuments) {
        public static final Sizes QUICK = new Sizes(1_024, 5_000, 1_000, 2_000, 20_000, 5_000);
        public static final Sizes DEFAULT =
                new Sizes(2_048, 20_000, 5_000, 10_000, 100_000, 10_000);

        public Sizes {
            if (modelTexts < EMBED_BATCH || documents < BULK_SIZE) {
                throw new IllegalArgumentException(
                        "modelTexts must be >= " + EMBED_BATCH + ", documents >= " + BULK_SIZE);
            }
            if (batchDocuments < 10
                    || !(0 < growthSmall && growthSmall < growthLarge)
                    || growthDocuments < 1
                    || growthDocuments > documents) {
                throw new IllegalArgumentException(
                        "Need batchDocuments >= 10, 0 < growthSmall < growthLarge and"
                                + " 1 <= growthDocuments <= documents");
            }
        }
    }

    private final Sizes sizes;
    private final Path workDir;
    private final Path openSearchHome;
    private final Consumer<String> progress;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();

    public Benchmark(Sizes sizes, Path workDir, Path openSearchHome, Consumer<String> progress) {
        this.sizes = sizes;
        this.workDir = workDir;
        this.openSearchHome = openSearchHome;
        this.progress = progress;
    }

    /** Runs every measurement and returns the table. */
    public BenchmarkTable run() throws Exception {
        BenchmarkTable table = new BenchmarkTable();
        List<String> events = sampleEvents(Math.max(sizes.documents(), sizes.modelTexts()));
        List<String> texts = render(events);
        progress.accept("Starting Kafka, OpenSearch and the embedding servers...");
        try (KafkaBroker kafka =
                        KafkaBroker.builder()
                                .workDir(workDir.resolve("kafka"))
                                .port(0)
                                .controllerPort(0)
                                .keepData(false)
                                .build()
                                .start();
                OpenSearchNode openSearch = startOpenSearch();
                LocalEmbeddingModel model = LocalEmbeddingModel.acquireShared();
                ZeroCostEmbeddingServer stub =
                        ZeroCostEmbeddingServer.start(LocalEmbeddingModel.DIMENSIONS)) {
            CountingEmbedder counting = new CountingEmbedder(model);
            try (EmbeddingServer server =
                            EmbeddingServer.builder(counting)
                                    .host("127.0.0.1")
                                    .port(0)
                                    .build()
                                    .start();
                    OpenSearchConnection connection =
                            OpenSearchConnection.open(openSearchConfig(openSearch.httpUri()))) {
                URI embeddings = URI.create(server.baseUri() + "/v1/embeddings");

                progress.accept("1a: the embedding server, direct batched requests...");
                embedDirect(embeddings, texts.subList(0, EMBED_BATCH * EMBED_CONCURRENCY));
                long start = System.nanoTime();
                embedDirect(embeddings, texts.subList(0, sizes.modelTexts()));
                table.add(
                        new BenchmarkTable.Row(
                                "1a",
                                "embedding server, direct (64/request, 2 in flight)",
                                sizes.modelTexts(),
                                "texts",
                                seconds(start),
                                Optional.empty(),
                                ""));

                progress.accept("1b: OpenSearch _bulk with precomputed vectors...");
                table.add(bulkRaw(connection, openSearch.httpUri(), texts));

                MiniCluster flink = startFlink();
                try {
                    progress.accept("2b: the streaming job with the zero-cost embedder...");
                    publish(kafka, "bench-warmup", events.subList(0, 200));
                    runJob(
                            flink,
                            kafka,
                            openSearch,
                            stub.baseUri(),
                            "bench-warmup",
                            200,
                            "warmup",
                            ZeroCostEmbeddingServer.MODEL,
                            () -> {});
                    publish(kafka, "bench-2b", events.subList(0, sizes.documents()));
                    AtomicLong stubStart = new AtomicLong();
                    JobRun zero =
                            runJob(
                                    flink,
                                    kafka,
                                    openSearch,
                                    stub.baseUri(),
                                    "bench-2b",
                                    sizes.documents(),
                                    "b2b",
                                    ZeroCostEmbeddingServer.MODEL,
                                    () -> stubStart.set(stub.requests()));
                    long stubRequests = stub.requests() - stubStart.get();
                    table.add(
                            new BenchmarkTable.Row(
                                    "2b",
                                    "EmbedFlow streaming, window NONE, zero-cost embedder",
                                    zero.events(),
                                    "events",
                                    zero.seconds(),
                                    Optional.of("1b"),
                                    zero.documents()
                                            + " docs indexed; "
                                            + stubRequests
                                            + " embedding requests"));

                    progress.accept("2a: the streaming job with the local model...");
                    publish(kafka, "bench-2a", events.subList(0, sizes.modelTexts()));
                    JobRun real =
                            runJob(
                                    flink,
                                    kafka,
                                    openSearch,
                                    server.baseUri(),
                                    "bench-2a",
                                    sizes.modelTexts(),
                                    "b2a",
                                    LocalEmbeddingModel.MODEL_ID,
                                    counting::reset);
                    table.add(
                            new BenchmarkTable.Row(
                                    "2a",
                                    "EmbedFlow streaming, window NONE, local model",
                                    real.events(),
                                    "events",
                                    real.seconds(),
                                    Optional.of("1a"),
                                    String.format(
                                            java.util.Locale.ROOT,
                                            "%d docs indexed; %.3f embedding requests per text"
                                                    + " (%d requests, %d texts)",
                                            real.documents(),
                                            counting.texts() == 0
                                                    ? 0.0
                                                    : (double) counting.calls() / counting.texts(),
                                            counting.calls(),
                                            counting.texts())));

                    // 4 batch and 5 growth: BatchBenchmark, GrowthBenchmark; the targets.
                    new BatchBenchmark(
                                    workDir,
                                    openSearch.httpUri(),
                                    server.baseUri(),
                                    counting,
                                    progress)
                            .run(sizes.batchDocuments())
                            .forEach(table::add);
                    publish(kafka, "bench-5", events.subList(0, sizes.growthDocuments()));
                    new GrowthBenchmark(
                                    connection,
                                    openSearch.httpUri(),
                                    ZeroCostEmbeddingServer.MODEL,
                                    LocalEmbeddingModel.DIMENSIONS,
                                    progress)
                            .run(
                                    sizes.growthSmall(),
                                    sizes.growthLarge(),
                                    base -> {
                                        JobRun run =
                                                runJob(
                                                        flink,
                                                        kafka,
                                                        openSearch,
                                                        stub.baseUri(),
                                                        "bench-5",
                                                        sizes.growthDocuments(),
                                                        base,
                                                        ZeroCostEmbeddingServer.MODEL,
                                                        () -> {});
                                        return new GrowthBenchmark.Indexed(
                                                run.events(), run.documents(), run.seconds());
                                    })
                            .forEach(table::add);
                    table.target("2b", 0.7).target("2a", 0.8);
                } finally {
                    flink.closeAsync().get(60, TimeUnit.SECONDS);
                }
            }
        }
        return table;
    }

    private OpenSearchNode startOpenSearch() {
        OpenSearchNode node =
                OpenSearchNode.builder()
                        .home(openSearchHome)
                        .workDir(workDir.resolve("opensearch"))
                        .httpPort(0)
                        .transportPort(0)
                        .keepData(false)
                        .build();
        node.start();
        return node;
    }

    /** {@code count} sample events, the same every run. */
    static List<String> sampleEvents(int count) {
        Instant start = Instant.parse("2026-01-01T00:00:00Z").truncatedTo(ChronoUnit.HOURS);
        return new SampleBusiness(42, start).events(count, Math.max(25, count / 12));
    }

    /** The documents the job makes of these events with window NONE: one text per event. */
    static List<String> render(List<String> events) {
        EventParser parser = new EventParser(EventFormat.cloudEvents());
        DocumentRenderer renderer = new DocumentRenderer(LocalSystem.ONE_EVENT_TEMPLATE, 100);
        List<String> texts = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            SourceRecord record =
                    parser.parse(
                            new ConsumerRecord<>(
                                    "events",
                                    0,
                                    i,
                                    null,
                                    events.get(i).getBytes(StandardCharsets.UTF_8)));
            if (!record.isEvent()) {
                throw new IllegalStateException("A sample event does not parse: " + record);
            }
            Event event = record.getEvent();
            texts.add(
                    renderer.render(
                            event.getEntity(),
                            event.getEventTime(),
                            event.getEventTime(),
                            List.of(event)));
        }
        return texts;
    }

    private void embedDirect(URI endpoint, List<String> texts) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += EMBED_BATCH) {
            if (inFlight.size() == EMBED_CONCURRENCY) {
                check(inFlight.remove(0).get(), "embedding");
            }
            ObjectNode body = MAPPER.createObjectNode();
            body.put("model", LocalEmbeddingModel.MODEL_ID);
            ArrayNode input = body.putArray("input");
            texts.subList(from, Math.min(texts.size(), from + EMBED_BATCH)).forEach(input::add);
            inFlight.add(
                    http.sendAsync(
                            HttpRequest.newBuilder(endpoint)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : inFlight) {
            check(response.get(), "embedding");
        }
    }

    private BenchmarkTable.Row bulkRaw(
            OpenSearchConnection connection, URI openSearch, List<String> texts) throws Exception {
        IndexSpec spec =
                IndexSpec.builder()
                        .baseName("bench-raw")
                        .model(LocalEmbeddingModel.MODEL_ID)
                        .dimension(LocalEmbeddingModel.DIMENSIONS)
                        .replicas(0)
                        .build();
        new IndexManager(connection).ensureIndex(spec);
        URI bulk = URI.create(openSearch + "/" + spec.indexName() + "/_bulk");
        // Precomputed: random unit vectors, made before the clock starts.
        Random random = new Random(7);
        List<String> bodies = new ArrayList<>();
        int documents = sizes.documents();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < documents; i++) {
            ObjectNode doc = MAPPER.createObjectNode();
            doc.put(IndexFields.TEXT, texts.get(i));
            doc.put(IndexFields.ENTITY, "bench-" + i);
            doc.put(IndexFields.MODEL, LocalEmbeddingModel.MODEL_ID);
            ArrayNode vector = doc.putArray(IndexFields.EMBEDDING);
            for (float v : unitVector(random, LocalEmbeddingModel.DIMENSIONS)) {
                vector.add(v);
            }
            body.append("{\"index\":{\"_id\":\"raw-").append(i).append("\"}}\n");
            body.append(doc).append('\n');
            if ((i + 1) % BULK_SIZE == 0 || i + 1 == documents) {
                bodies.add(body.toString());
                body.setLength(0);
            }
        }
        sendBulk(bulk, bodies.get(0)); // warm-up: the first bulk, indexed again below
        long start = System.nanoTime();
        for (String each : bodies) {
            sendBulk(bulk, each);
        }
        double seconds = seconds(start);
        return new BenchmarkTable.Row(
                "1b",
                "OpenSearch _bulk, precomputed vectors (500/bulk)",
                documents,
                "docs",
                seconds,
                Optional.empty(),
                "");
    }

    private void sendBulk(URI bulk, String ndjson) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(bulk)
                                .header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofString(ndjson))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        check(response, "bulk");
        if (MAPPER.readTree(response.body()).path("errors").asBoolean(true)) {
            throw new IllegalStateException(
                    "A bulk request had item errors: "
                            + response.body()
                                    .substring(0, Math.min(500, response.body().length())));
        }
    }

    static float[] unitVector(Random random, int dimensions) {
        float[] vector = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) random.nextGaussian();
            norm += vector[i] * vector[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            vector[i] *= scale;
        }
        return vector;
    }

    private static void check(HttpResponse<String> response, String what) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(
                    what
                            + " request failed with "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
    }

    private MiniCluster startFlink() throws Exception {
        Configuration config = new Configuration();
        config.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        config.set(RestOptions.ADDRESS, "127.0.0.1");
        config.set(RestOptions.BIND_PORT, "0");
        config.set(TaskManagerOptions.NUM_TASK_SLOTS, 1);
        MiniCluster flink =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(1)
                                .build());
        flink.start();
        return flink;
    }

    private static void publish(KafkaBroker kafka, String topic, List<String> events)
            throws IOException {
        try (EventPublisher publisher =
                        EventPublisher.connect(
                                kafka.bootstrapServers(),
                                topic,
                                EventPublisher.DEFAULT_KEY_POINTER);
                BufferedReader reader =
                        new BufferedReader(new StringReader(String.join("\n", events)))) {
            publisher.publish(reader);
        }
    }

    private record JobRun(long events, long documents, double seconds) {}

    /**
     * Runs the streaming job over a topic to its end (bounded source) and times it from submission
     * to the finished job (so Flink's job start is included).
     */
    private JobRun runJob(
            MiniCluster flink,
            KafkaBroker kafka,
            OpenSearchNode openSearch,
            URI embeddingBase,
            String topic,
            int events,
            String indexBase,
            String model,
            Runnable beforeStart)
            throws Exception {
        Configuration config = new Configuration();
        config.setString("source.bootstrap-servers", kafka.bootstrapServers());
        config.setString("source.topics", topic);
        config.setString("source.group-id", "embedflow-" + topic);
        config.setString("source.starting-offsets", "EARLIEST");
        config.setString("source.bounded", "true");
        config.setString("window.mode", "NONE");
        config.setString("window.template", LocalSystem.ONE_EVENT_TEMPLATE);
        config.setString("embedding.provider", "openai");
        config.setString("embedding.base-url", embeddingBase.toString());
        config.setString("embedding.model", model);
        config.setString("opensearch.hosts", openSearch.httpUri().toString());
        config.setString("opensearch.index.base-name", indexBase);
        config.setString("opensearch.index.alias", indexBase);
        config.setString("opensearch.index.replicas", "0");
        config.setString("dead-letter.topic", "bench-dead-letters");
        StreamingJob.Prepared prepared = StreamingJob.prepare(config);

        StreamExecutionEnvironment env = new StreamExecutionEnvironment(config);
        env.setParallelism(1);
        StreamingJob.build(env, config, prepared);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("EmbedFlow bench " + topic);
        beforeStart.run();
        long start = System.nanoTime();
        var jobId = flink.submitJob(graph.getJobGraph()).get(30, TimeUnit.SECONDS).getJobID();
        JobResult result =
                flink.requestJobResult(jobId).get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        double seconds = seconds(start);
        if (!result.isSuccess()) {
            throw new IllegalStateException(
                    "The benchmark job on "
                            + topic
                            + " failed: "
                            + result.getSerializedThrowable()
                                    .map(t -> t.getFullStringifiedStackTrace())
                                    .orElse("no failure reported"));
        }
        long documents;
        try (OpenSearchConnection connection =
                OpenSearchConnection.open(openSearchConfig(openSearch.httpUri()))) {
            connection.client().indices().refresh(r -> r.index(indexBase));
            documents = connection.client().count(c -> c.index(indexBase)).count();
        }
        return new JobRun(events, documents, seconds);
    }

    private static OpenSearchConnectionConfig openSearchConfig(URI uri) {
        Configuration config = new Configuration();
        config.setString("opensearch.hosts", uri.toString());
        return OpenSearchConnectionConfig.fromConfiguration(config);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
