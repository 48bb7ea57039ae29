package dev.embedflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.bench.hosted.HostedApiProfile;
import dev.embedflow.bench.hosted.HostedApiServer;
import dev.embedflow.devserver.FlinkCluster;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.devserver.SampleBusiness;
import dev.embedflow.model.Embedding;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.LocalModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.opensearch.OpenSearchOptions;
import dev.embedflow.source.Event;
import dev.embedflow.source.EventFormat;
import dev.embedflow.source.EventParser;
import dev.embedflow.source.SourceRecord;
import dev.embedflow.window.DocumentRenderer;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The benchmark run behind {@code embedflow bench}: starts Kafka, OpenSearch with k-NN, the
 * embedding server with the local model and a zero-cost embedding stub, all on free ports in a
 * temporary directory; measures the raw limits and EmbedFlow's streaming job against them; stops
 * everything again. The rows with a target, their baselines and rows 9 give the median of {@link
 * Sizes#runs} runs after a warm-up ({@link RowRuns}); the others run once after a short warm-up.
 *
 * <ul>
 *   <li>1a: the embedding server, direct batched requests (64 texts, 2 in flight).
 *   <li>1b: OpenSearch bulk of the same documents with precomputed vectors through opensearch-java,
 *       tuned on a slice ({@link BulkBaseline}).
 *   <li>1c: Kafka produce and consume of the same events ({@link KafkaBaseline}).
 *   <li>2b, 2a: the streaming job, windows NONE and TUMBLING, with the zero-cost embedder (against
 *       1b) and with the local model behind the embedding server (against 1a): events/s,
 *       documents/s, requests per text, freshness ({@link StreamingBenchmark}).
 *   <li>3: the peer, Flink SQL's ML_PREDICT with flink-model-openai, and 2a over it ({@link
 *       MlPredictPeer}).
 *   <li>4a, 4b, 4c: the batch job, first run and two re-runs ({@link BatchBenchmark}).
 *   <li>5a, 5b, 5c: the streaming job into indexes pre-filled with many documents ({@link
 *       GrowthBenchmark}).
 *   <li>6a, 6b: search recall against exact and latency at the same sizes ({@link
 *       SearchBenchmark}).
 *   <li>7a, 7b, 7c: retrieval quality of k-NN, BM25 and hybrid on the labelled questions ({@link
 *       RetrievalQuality}).
 * </ul>
 *
 * <p>Where a ratio falls short of issue 8's target, the table gets a finding: CPU per process and
 * JFR method samples of the measured phase ({@link CpuMeter}, {@link Profile}).
 */
public final class Benchmark {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int EMBED_BATCH = 64;
    private static final int EMBED_CONCURRENCY = 2;

    /**
     * Bulks the job's sink keeps in flight by default ({@code opensearch.sink.bulk.max-in-flight}).
     */
    static final int SINK_IN_FLIGHT = 3;

    /** The fewest documents a run takes: 1b's smallest tuning slice, 1c's warm-up. */
    private static final int MIN_DOCUMENTS = 1_000;

    /**
     * The benchmark node's heap: the 100k-document rows hold 150 MB of vectors and merge HNSW
     * graphs.
     */
    private static final String OPENSEARCH_HEAP = "2g";

    /**
     * Sizes of one run.
     *
     * @param batchDocuments the batch job's corpus (4)
     * @param growthSmall documents in the smaller pre-filled index (5a)
     * @param growthLarge documents in the larger pre-filled index (5b)
     * @param growthDocuments new documents indexed into each (5), at most {@code documents}
     * @param searchQueries queries per index size of the search rows (6a, 6b: the growth sizes)
     */
    public record Sizes(
            int modelTexts,
            int documents,
            int batchDocuments,
            int growthSmall,
            int growthLarge,
            int growthDocuments,
            int searchQueries) {
        public static final Sizes QUICK = new Sizes(512, 3_000, 1_000, 2_000, 20_000, 3_000, 50);

        /** Row 5c: documents in the largest pre-filled index (issue 17: 300k). */
        int growthHuge() {
            return documents >= 20_000 ? 300_000 : 40_000;
        }

        /** Rows 9: events EmbedFlow is given per run (about a minute at the hosted ceiling). */
        int hostedEvents() {
            return documents >= 20_000 ? 2_000 : 500;
        }

        /** Rows 9: texts ML_PREDICT is given per run (about a minute at 300 RPM). */
        int hostedPeerTexts() {
            return documents >= 20_000 ? 300 : 75;
        }

        /**
         * Rows 9 without rate limits (the GPU profile): texts per run for EmbedFlow and the
         * batching peers, enough for seconds of work rather than a request's latency.
         */
        int unlimitedEvents() {
            return documents;
        }

        /** Rows 9 without rate limits: texts per run for ML_PREDICT (one request each). */
        int unlimitedPeerTexts() {
            return documents >= 20_000 ? 2_000 : 300;
        }

        /** Counted runs of each row with a target (2s, 2b, 2a) and of each cell of rows 9. */
        int runs() {
            return documents >= 20_000 ? 3 : 1;
        }

        public static final Sizes DEFAULT =
                new Sizes(2_048, 20_000, 5_000, 10_000, 100_000, 10_000, 200);

        public Sizes {
            if (modelTexts < EMBED_BATCH || documents < MIN_DOCUMENTS) {
                throw new IllegalArgumentException(
                        "modelTexts must be >= " + EMBED_BATCH + ", documents >= " + MIN_DOCUMENTS);
            }
            if (batchDocuments < 10
                    || !(0 < growthSmall && growthSmall < growthLarge)
                    || growthDocuments < 1
                    || growthDocuments > documents
                    || searchQueries < 1) {
                throw new IllegalArgumentException(
                        "Need batchDocuments >= 10, 0 < growthSmall < growthLarge,"
                                + " 1 <= growthDocuments <= documents and searchQueries >= 1");
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

    /** Only these of the rows that can run alone ({@link #STANDALONE}); empty: all. */
    private java.util.Set<String> only = java.util.Set.of();

    public Benchmark(Sizes sizes, Path workDir, Path openSearchHome, Consumer<String> progress) {
        this.sizes = sizes;
        this.workDir = workDir;
        this.openSearchHome = openSearchHome;
        this.progress = progress;
    }

    /** The servers and clients every measurement shares. */
    private record Servers(
            KafkaBroker kafka,
            OpenSearchNode openSearch,
            OpenSearchConnection connection,
            EmbeddingServer server,
            CountingEmbedder counting,
            HostedApiServer stub,
            CpuMeter cpu) {}

    /** CPU of the processes during 1a, for the findings. */
    private String embeddingServerCpu = "";

    /** 1b's fastest trial with one request in flight (the job's sink sends one), if any. */
    private Optional<BulkBaseline.Trial> bulkSingle = Optional.empty();

    /** 1b's chosen setting. */
    private BulkBaseline.Setting bulkBest = new BulkBaseline.Setting(500, 1);

    /** 2a's embedding requests and texts, for the peer's finding. */
    private String twoARequests = "?";

    /**
     * The model the zero-cost embedder is asked for ({@link HostedApiProfile#zeroCost}: vectors
     * derived from each text, no latency, no limits), so that its documents name it.
     */
    static final String ZERO_COST_MODEL = "zero-cost-384";

    /** Flink's OpenAI model provider, on the launcher's class path from {@code target/peer}. */
    private static final String MODEL_PROVIDER =
            "org.apache.flink.model.openai.OpenAIModelProviderFactory";

    /**
     * The rows that can run alone: 2 (the sink and the streaming job, with their baselines 1a and
     * 1b), 5 (growth), 9 (hosted-API reality), 10 (the int8 model).
     */
    public static final java.util.Set<String> STANDALONE = java.util.Set.of("2", "5", "9", "10");

    /**
     * Runs only {@code rows} (of {@link #STANDALONE}), with the servers they need, nothing else.
     */
    public Benchmark only(java.util.Set<String> rows) {
        if (!STANDALONE.containsAll(rows)) {
            throw new IllegalArgumentException(
                    "only rows " + STANDALONE + " run alone, not " + rows);
        }
        this.only = java.util.Set.copyOf(rows);
        return this;
    }

    /** Runs every measurement and returns the table. */
    public BenchmarkTable run() throws Exception {
        BenchmarkTable table = new BenchmarkTable();
        List<String> events = sampleEvents(Math.max(sizes.documents(), sizes.modelTexts()));
        List<String> texts = render(events);
        progress.accept("Starting Kafka, OpenSearch and the embedding servers...");
        // OpenSearch starts beside Kafka: both take seconds. Logging is set up first, so that the
        // two threads do not race to initialize it.
        org.slf4j.LoggerFactory.getILoggerFactory();
        CompletableFuture<OpenSearchNode> openSearchStart =
                CompletableFuture.supplyAsync(this::startOpenSearch);
        try (KafkaBroker kafka = startKafka(openSearchStart);
                OpenSearchNode openSearch = openSearchStart.join();
                LocalEmbeddingModel model = LocalEmbeddingModel.acquireShared();
                HostedApiServer stub =
                        HostedApiServer.start(
                                HostedApiProfile.zeroCost(), LocalEmbeddingModel.DIMENSIONS)) {
            CountingEmbedder counting = new CountingEmbedder(model);
            try (EmbeddingServer server =
                            EmbeddingServer.builder(counting)
                                    .host("127.0.0.1")
                                    .port(0)
                                    .build()
                                    .start();
                    OpenSearchConnection connection =
                            OpenSearchConnection.open(openSearchConfig(openSearch.httpUri()))) {
                CpuMeter cpu =
                        new CpuMeter()
                                .addSelf("this JVM")
                                .add("OpenSearch", openSearch.pid())
                                .add("Kafka", kafka.pid());
                Servers servers =
                        new Servers(kafka, openSearch, connection, server, counting, stub, cpu);
                if (!only.isEmpty()) {
                    if (only.contains("10")) {
                        measureInt8(table, servers, texts);
                    }
                    if (only.contains("2")) {
                        // Their baselines first: 1a, and 1b with the bulk setting they use.
                        measureEmbeddingServer(table, servers, texts);
                        measureBulk(table, servers, texts);
                    }
                    if (only.contains("2") || only.contains("9") || only.contains("5")) {
                        MiniCluster flink = startFlink();
                        try {
                            StreamingBenchmark streaming = streaming(servers, flink, bulkBest);
                            if (only.contains("2")) {
                                measureSink(table, servers, flink, streaming, texts, bulkBest);
                                measureStreaming(table, servers, streaming, events);
                            }
                            if (only.contains("5")) {
                                measureGrowth(table, servers, streaming, events);
                            }
                            if (only.contains("9")) {
                                measureHosted(table, servers, flink, streaming, events, texts);
                            }
                        } finally {
                            flink.closeAsync().get(60, TimeUnit.SECONDS);
                        }
                    }
                    return table;
                }
                measureEmbeddingServer(table, servers, texts);
                BulkBaseline.Setting bulk = measureBulk(table, servers, texts);
                measureKafka(table, servers, events);
                MiniCluster flink = startFlink();
                try {
                    StreamingBenchmark streaming = streaming(servers, flink, bulk);
                    measureOrNote(
                            table,
                            "2s",
                            () -> measureSink(table, servers, flink, streaming, texts, bulk));
                    measureStreaming(table, servers, streaming, events);
                    measureOrNote(
                            table, "2c", () -> measureUpdates(table, servers, streaming, events));
                    measurePeer(table, servers, flink, texts);
                    measureOrNote(
                            table,
                            "9",
                            () -> measureHosted(table, servers, flink, streaming, events, texts));
                    measureBatch(table, servers);
                    measureGrowth(table, servers, streaming, events);
                    // 6 and 7 come last and must not cost the rows before them: a failure is a
                    // finding in the report, not the end of the run.
                    measureOrNote(
                            table, "8", () -> measureState(table, servers, streaming, events));
                    measureOrNote(table, "6", () -> measureSearch(table, servers));
                    measureOrNote(table, "10", () -> measureInt8(table, servers, texts));
                    measureOrNote(
                            table,
                            "7",
                            () ->
                                    new RetrievalQuality(
                                                    servers.connection(),
                                                    servers.openSearch().httpUri(),
                                                    servers.counting(),
                                                    progress)
                                            .run("7")
                                            .forEach(table::add));
                } finally {
                    flink.closeAsync().get(60, TimeUnit.SECONDS);
                }
            }
        }
        return table;
    }

    /** 1a: the embedding server with direct batched requests. */
    private void measureEmbeddingServer(BenchmarkTable table, Servers servers, List<String> texts)
            throws Exception {
        progress.accept("1a: the embedding server, direct batched requests...");
        URI embeddings = URI.create(servers.server().baseUri() + "/v1/embeddings");
        embedDirect(embeddings, texts.subList(0, EMBED_BATCH * EMBED_CONCURRENCY));
        // As many runs as 2a, which it is the baseline of: its median against theirs.
        RowRuns<Timed> runs =
                RowRuns.measure(
                        "1a",
                        sizes.runs(),
                        timed -> sizes.modelTexts() / timed.seconds(),
                        progress,
                        n -> {
                            Map<String, Double> cpuBefore = servers.cpu().snapshot();
                            long start = System.nanoTime();
                            embedDirect(embeddings, texts.subList(0, sizes.modelTexts()));
                            double seconds = seconds(start);
                            return new Timed(
                                    seconds,
                                    CpuMeter.describe(
                                            cpuBefore,
                                            servers.cpu().snapshot(),
                                            seconds,
                                            Runtime.getRuntime().availableProcessors()));
                        });
        Timed median = runs.median();
        embeddingServerCpu = median.cpu();
        table.add(
                new BenchmarkTable.Row(
                        "1a",
                        "embedding server, direct ("
                                + EMBED_BATCH
                                + "/request, "
                                + EMBED_CONCURRENCY
                                + " in flight)",
                        sizes.modelTexts(),
                        "texts",
                        median.seconds(),
                        Optional.empty(),
                        runs.spread("texts")));
    }

    /** One timed run of a baseline and the processes' CPU in it ({@link CpuMeter#describe}). */
    private record Timed(double seconds, String cpu) {}

    /** 1b: OpenSearch bulk through opensearch-java, tuned on a slice; returns the best setting. */
    private BulkBaseline.Setting measureBulk(
            BenchmarkTable table, Servers servers, List<String> texts) throws Exception {
        int slice = bulkSweepSlice();
        progress.accept(
                "1b: OpenSearch bulk with precomputed vectors: tuning on "
                        + slice
                        + " documents...");
        BulkBaseline bulk = new BulkBaseline(servers.connection(), progress);
        List<BulkBaseline.Trial> trials = bulk.tune(texts, slice);
        BulkBaseline.Trial best = BulkBaseline.best(trials);
        bulkBest = best.setting();
        progress.accept(
                "1b: all " + sizes.documents() + " documents with " + best.setting() + "...");
        // As many runs as 2s and 2b, which it is the baseline of: its median against theirs.
        RowRuns<Double> runs =
                RowRuns.measure(
                        "1b",
                        sizes.runs(),
                        seconds -> sizes.documents() / seconds,
                        progress,
                        n -> bulk.measure(texts.subList(0, sizes.documents()), best.setting(), n));
        double seconds = runs.median();
        bulkSingle = BulkBaseline.bestSingle(trials);
        String single =
                bulkSingle
                        .map(
                                t ->
                                        String.format(
                                                Locale.ROOT,
                                                "; best with 1 in flight: %s, %.0f docs/s",
                                                t.setting(),
                                                t.rate()))
                        .orElse("");
        table.add(
                new BenchmarkTable.Row(
                        "1b",
                        "OpenSearch bulk (opensearch-java), precomputed vectors, " + best.setting(),
                        sizes.documents(),
                        "docs",
                        seconds,
                        Optional.empty(),
                        runs.withSpread(
                                "docs",
                                String.format(
                                                Locale.ROOT,
                                                "best of %d settings on %d docs",
                                                trials.size(),
                                                slice)
                                        + single)));
        return best.setting();
    }

    private int bulkSweepSlice() {
        return sizes.documents() >= 20_000 ? 3_000 : 1_000;
    }

    /** 1c: Kafka produce and consume of the same events. */
    private void measureKafka(BenchmarkTable table, Servers servers, List<String> events)
            throws Exception {
        progress.accept("1c: Kafka produce and consume...");
        KafkaBaseline kafka = new KafkaBaseline(servers.kafka().bootstrapServers());
        kafka.run("bench-raw-warmup", events.subList(0, MIN_DOCUMENTS));
        KafkaBaseline.Result result = kafka.run("bench-raw", events.subList(0, sizes.documents()));
        table.add(
                new BenchmarkTable.Row(
                        "1c-p",
                        "Kafka produce (" + KafkaBaseline.PRODUCER_SETTINGS + ")",
                        result.events(),
                        "events",
                        result.produceSeconds(),
                        Optional.empty(),
                        "1 partition"));
        table.add(
                new BenchmarkTable.Row(
                        "1c-c",
                        "Kafka consume (from the start, default fetch settings)",
                        result.events(),
                        "events",
                        result.consumeSeconds(),
                        Optional.empty(),
                        "1 partition"));
    }

    /**
     * 2s, 2s-1, 2s-u: the job's OpenSearch sink alone over 1b's documents: versioned with up to
     * {@value #SINK_IN_FLIGHT} bulks in flight (the job's default, the target's row), with one, and
     * unversioned (in order); each against 1b.
     */
    private void measureSink(
            BenchmarkTable table,
            Servers servers,
            MiniCluster flink,
            StreamingBenchmark streaming,
            List<String> texts,
            BulkBaseline.Setting bulk)
            throws Exception {
        SinkBenchmark sink =
                new SinkBenchmark(
                        flink,
                        servers.openSearch().httpUri(),
                        servers.connection(),
                        streaming,
                        workDir,
                        progress);
        List<String> documents = texts.subList(0, sizes.documents());
        // One warm-up of the whole size (not counted) for the three variants: the sink's code and
        // OpenSearch's are cold until then.
        progress.accept("2s: the job's OpenSearch sink alone, warm-up (not counted)...");
        sink.run("sink-warmup", documents, bulk.bulkSize(), SINK_IN_FLIGHT, true);
        record Variant(String id, String what, int inFlight, boolean versioned) {}
        for (Variant v :
                List.of(
                        new Variant(
                                "2s",
                                "versioned, up to " + SINK_IN_FLIGHT + " in flight",
                                SINK_IN_FLIGHT,
                                true),
                        new Variant("2s-1", "versioned, 1 in flight", 1, true),
                        new Variant(
                                "2s-u",
                                "unversioned (in order, 1 in flight)",
                                SINK_IN_FLIGHT,
                                false))) {
            progress.accept(v.id() + ": the job's OpenSearch sink alone, " + v.what() + "...");
            RowRuns<SinkBenchmark.Result> runs =
                    RowRuns.measure(
                            v.id(),
                            v.id().equals("2s") ? sizes.runs() : 1,
                            SinkBenchmark.Result::rate,
                            progress,
                            n ->
                                    sink.run(
                                            v.id().replace("-", "") + "r" + n,
                                            documents,
                                            bulk.bulkSize(),
                                            v.inFlight(),
                                            v.versioned()));
            SinkBenchmark.Result result = runs.median();
            table.add(
                    new BenchmarkTable.Row(
                            v.id(),
                            "EmbedFlow's OpenSearch sink alone, precomputed vectors, "
                                    + bulk.bulkSize()
                                    + "/bulk, "
                                    + v.what(),
                            result.documents(),
                            "docs",
                            result.seconds(),
                            Optional.of("1b"),
                            runs.withSpread(
                                    "docs",
                                    "a bounded source on the MiniCluster into OpenSearchSink;"
                                            + " 1b's documents")));
        }
        table.target("2s", 0.95);
    }

    /** The streaming job's harness for 2a, 2b and 5, its sink bulks at 1b's chosen size. */
    private StreamingBenchmark streaming(
            Servers servers, MiniCluster flink, BulkBaseline.Setting bulk) {
        return new StreamingBenchmark(
                flink,
                servers.kafka().bootstrapServers(),
                servers.openSearch().httpUri(),
                servers.connection(),
                bulk.bulkSize(),
                workDir.resolve("profiles"),
                servers.cpu(),
                progress);
    }

    /** 2b, 2b-t, 2a, 2a-t: the streaming job, windows NONE and TUMBLING, stub and model. */
    private void measureStreaming(
            BenchmarkTable table,
            Servers servers,
            StreamingBenchmark streaming,
            List<String> events)
            throws Exception {
        HostedApiServer stub = servers.stub();
        CountingEmbedder counting = servers.counting();
        int freshnessSeconds = sizes.documents() >= 20_000 ? 10 : 4;
        List<String> tumblingEvents =
                sampleEvents(
                        Math.max(sizes.documents(), sizes.modelTexts()),
                        StreamingBenchmark.TUMBLING_ENTITIES);
        List<String> freshnessEvents =
                new SampleBusiness(43, Instant.parse("2026-02-01T00:00:00Z"))
                        .events(1_000, StreamingBenchmark.TUMBLING_ENTITIES);

        // A warm-up of the whole size (not counted), profiled as the counted runs are: until the
        // job has run once at full speed, this JVM's JIT and OpenSearch's are cold (see RowRuns),
        // and the first JFR recording in this JVM cost the run it profiled about 25 s of CPU here.
        progress.accept("2b: the streaming job, zero-cost embedder, warm-up (not counted)...");
        streaming.run(
                new StreamingBenchmark.Scenario(
                        "warmup",
                        StreamingBenchmark.Window.NONE,
                        stub.baseUri(),
                        ZERO_COST_MODEL,
                        stub::requests,
                        stub::texts),
                events.subList(0, sizes.documents()),
                freshnessEvents,
                0,
                20,
                true);

        for (StreamingBenchmark.Window window :
                List.of(StreamingBenchmark.Window.NONE, StreamingBenchmark.Window.TUMBLING)) {
            boolean none = window == StreamingBenchmark.Window.NONE;
            String id = none ? "2b" : "2b-t";
            progress.accept(
                    id + ": the streaming job, window " + window + ", zero-cost embedder...");
            List<String> input = (none ? events : tumblingEvents).subList(0, sizes.documents());
            addStreamingRow(
                    table,
                    id,
                    "EmbedFlow streaming, window " + window + ", zero-cost embedder",
                    none ? Optional.of("1b") : Optional.empty(),
                    streaming,
                    n ->
                            new StreamingBenchmark.Scenario(
                                    id.replace("-", "") + "r" + n,
                                    window,
                                    stub.baseUri(),
                                    ZERO_COST_MODEL,
                                    stub::requests,
                                    stub::texts),
                    input,
                    freshnessEvents,
                    freshnessSeconds,
                    100);
        }
        for (StreamingBenchmark.Window window :
                List.of(StreamingBenchmark.Window.NONE, StreamingBenchmark.Window.TUMBLING)) {
            boolean none = window == StreamingBenchmark.Window.NONE;
            String id = none ? "2a" : "2a-t";
            progress.accept(id + ": the streaming job, window " + window + ", local model...");
            // Tumbling documents hold several events: longer texts, so half as many events.
            List<String> input =
                    none
                            ? events.subList(0, sizes.modelTexts())
                            : tumblingEvents.subList(0, sizes.modelTexts() / 2);
            addStreamingRow(
                    table,
                    id,
                    "EmbedFlow streaming, window " + window + ", local model",
                    none ? Optional.of("1a") : Optional.empty(),
                    streaming,
                    n ->
                            new StreamingBenchmark.Scenario(
                                    id.replace("-", "") + "r" + n,
                                    window,
                                    servers.server().baseUri(),
                                    LocalEmbeddingModel.MODEL_ID,
                                    counting::calls,
                                    counting::texts),
                    input,
                    freshnessEvents,
                    freshnessSeconds,
                    30);
        }
    }

    /**
     * A streaming row: the rows with a baseline (and a target) run {@link Sizes#runs} times, JFR
     * profiled, and give their median; the others run once. {@code scenario} names each run's
     * scenario (its topic and index are its own).
     */
    private void addStreamingRow(
            BenchmarkTable table,
            String id,
            String name,
            Optional<String> baseline,
            StreamingBenchmark streaming,
            IntFunction<StreamingBenchmark.Scenario> scenario,
            List<String> input,
            List<String> freshnessEvents,
            int freshnessSeconds,
            double maxFreshnessRate)
            throws Exception {
        // Freshness at a steady rate well below the measured throughput: latency, not queueing.
        RowRuns<StreamingBenchmark.Result> runs =
                RowRuns.measure(
                        id,
                        baseline.isPresent() ? sizes.runs() : 1,
                        StreamingBenchmark.Result::eventsPerSecond,
                        progress,
                        n ->
                                streaming.run(
                                        scenario.apply(n),
                                        input,
                                        freshnessEvents,
                                        freshnessSeconds,
                                        maxFreshnessRate,
                                        baseline.isPresent()));
        StreamingBenchmark.Result result = runs.median();
        BenchmarkTable.Row row =
                new BenchmarkTable.Row(
                        id,
                        name,
                        result.events(),
                        "events",
                        result.seconds(),
                        baseline,
                        runs.withSpread(
                                "events",
                                String.format(
                                        Locale.ROOT,
                                        "sink %d/bulk, up to %d in flight; %d docs, %.1f docs/s; %.3f embedding"
                                                + " requests per text (%d requests, %d texts); freshness %s"
                                                + " (%d events at %.0f/s)",
                                        bulkBest.bulkSize(),
                                        OpenSearchOptions.BULK_MAX_IN_FLIGHT.defaultValue(),
                                        result.documents(),
                                        result.documentsPerSecond(),
                                        result.requestsPerText(),
                                        result.requests(),
                                        result.texts(),
                                        result.freshness().summary(),
                                        result.freshness().count(),
                                        result.freshnessRate())));
        if (result.textsAgain() > 0) {
            row =
                    new BenchmarkTable.Row(
                            row.id(),
                            row.name(),
                            row.items(),
                            row.unit(),
                            row.seconds(),
                            row.baselineId(),
                            row.note()
                                    + "; "
                                    + result.textsAgain()
                                    + " texts embedded again (requests retried after a timeout"
                                    + " or failure)");
        }
        table.add(row);
        if (id.equals("2a")) {
            twoARequests = result.requests() + " requests for " + result.texts() + " texts";
        }
        if (baseline.isPresent()) {
            table.target(id, id.startsWith("2a") ? 0.8 : 0.7);
            if (table.meetsTarget(row).orElse(true)) {
                return;
            }
            StringBuilder finding = new StringBuilder("**").append(id).append("**: ");
            if (id.startsWith("2a")) {
                finding.append("CPU during 1a: ")
                        .append(embeddingServerCpu)
                        .append(". CPU during ")
                        .append(id)
                        .append(": ")
                        .append(result.cpu())
                        .append(
                                ". In 1a the model has the cores to itself; in 2a it shares them"
                                        + " with Flink, Kafka and OpenSearch, which index what it"
                                        + " embeds.");
            } else {
                finding.append("CPU during ")
                        .append(id)
                        .append(": ")
                        .append(result.cpu())
                        .append(". ");
                bulkSingle.ifPresent(
                        single ->
                                finding.append(
                                        String.format(
                                                Locale.ROOT,
                                                "The job's sink keeps up to %d bulk requests in"
                                                        + " flight (its actions carry external"
                                                        + " versions, so the order of bulks does"
                                                        + " not matter); raw bulk with one"
                                                        + " request in flight reached %.0f docs/s"
                                                        + " (%s, on the tuning slice), and %s"
                                                        + " reached %.2fx of that; raw bulk's best"
                                                        + " setting keeps %d in flight.",
                                                OpenSearchOptions.BULK_MAX_IN_FLIGHT.defaultValue(),
                                                single.rate(),
                                                single.setting(),
                                                id,
                                                result.documentsPerSecond() / single.rate(),
                                                bulkBest.inFlight())));
            }
            finding.append("\n\nJFR method samples of this JVM during the throughput phase:\n");
            result.profile().forEach(line -> finding.append("- ").append(line).append('\n'));
            table.addFinding(finding.toString());
        }
    }

    /** 4a, 4b, 4c: the batch job over a generated corpus, first run and re-runs. */
    private void measureBatch(BenchmarkTable table, Servers servers) throws Exception {
        new BatchBenchmark(
                        workDir,
                        servers.connection(),
                        servers.openSearch().httpUri(),
                        servers.server().baseUri(),
                        servers.counting(),
                        progress)
                .run(sizes.batchDocuments())
                .forEach(table::add);
    }

    /**
     * 5a, 5b: the streaming job (zero-cost embedder, window NONE, timed as 2b) indexing the same
     * new documents into indexes pre-filled with fewer and more documents.
     */
    private void measureGrowth(
            BenchmarkTable table,
            Servers servers,
            StreamingBenchmark streaming,
            List<String> events)
            throws Exception {
        GrowthBenchmark growth = growth(servers);
        GrowthBenchmark.Indexing indexing = growthIndexing(servers, streaming, events);
        growth.run(sizes.growthSmall(), sizes.growthLarge(), indexing).forEach(table::add);
        // The largest index on its own: on a small machine it may not fit, and 5a, 5b stand.
        measureOrNote(
                table,
                "5c",
                () -> {
                    table.add(
                            growth.measure("5c", sizes.growthHuge(), Optional.of("5a"), indexing));
                    table.target("5c", 0.5);
                });
    }

    private GrowthBenchmark growth(Servers servers) {
        return new GrowthBenchmark(
                servers.connection(),
                servers.openSearch().httpUri(),
                ZERO_COST_MODEL,
                LocalEmbeddingModel.DIMENSIONS,
                progress);
    }

    /** 5: the streaming job (zero-cost embedder, window NONE) indexing the first events. */
    private GrowthBenchmark.Indexing growthIndexing(
            Servers servers, StreamingBenchmark streaming, List<String> events) {
        HostedApiServer stub = servers.stub();
        List<String> input = events.subList(0, sizes.growthDocuments());
        return base -> {
            StreamingBenchmark.Result result =
                    streaming.run(
                            new StreamingBenchmark.Scenario(
                                    base.replaceFirst("^bench-", ""),
                                    StreamingBenchmark.Window.NONE,
                                    stub.baseUri(),
                                    ZERO_COST_MODEL,
                                    stub::requests,
                                    stub::texts,
                                    base),
                            input,
                            List.of(),
                            0,
                            2,
                            false);
            servers.connection().sendOk("POST", "/" + base + "/_refresh", null);
            long total =
                    servers.connection()
                            .sendOk("GET", "/" + base + "/_count", null)
                            .path("count")
                            .asLong();
            return new GrowthBenchmark.Indexed(result.documents(), total, result.seconds());
        };
    }

    /** A measurement that may fail without ending the run. */
    @FunctionalInterface
    private interface Measurement {
        void run() throws Exception;
    }

    private void measureOrNote(BenchmarkTable table, String rows, Measurement measurement) {
        try {
            measurement.run();
        } catch (Exception e) {
            progress.accept(rows + ": failed: " + e.getMessage());
            table.addFinding("Rows " + rows + " could not be measured: " + e.getMessage());
        }
    }

    /** 2c: freshness of 1-hour windows published while open (window.update-interval 2 s). */
    private void measureUpdates(
            BenchmarkTable table,
            Servers servers,
            StreamingBenchmark streaming,
            List<String> events)
            throws Exception {
        int seconds = sizes.documents() >= 20_000 ? 20 : 8;
        double rate = 20;
        int entities = 40;
        progress.accept(
                String.format(
                        Locale.ROOT,
                        "2c: 1-hour windows updated every %d s, %d entities, %.0f events/s for %d"
                                + " s...",
                        StreamingBenchmark.UPDATE_INTERVAL.toSeconds(),
                        entities,
                        rate,
                        seconds));
        HostedApiServer stub = servers.stub();
        long start = System.nanoTime();
        Latencies freshness =
                streaming.updateFreshness(
                        new StreamingBenchmark.Scenario(
                                "2c",
                                StreamingBenchmark.Window.HOURLY_UPDATES,
                                stub.baseUri(),
                                ZERO_COST_MODEL,
                                stub::requests,
                                stub::texts),
                        events.subList(0, 200),
                        entities,
                        rate,
                        seconds);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long target = StreamingBenchmark.UPDATE_INTERVAL.toMillis() + 3_000;
        long p99 = freshness.percentile(99);
        progress.accept("    freshness " + freshness.summary());
        table.add(
                new BenchmarkTable.Row(
                        "2c",
                        "EmbedFlow streaming, 1-hour windows updated every "
                                + StreamingBenchmark.UPDATE_INTERVAL.toSeconds()
                                + " s, zero-cost embedder",
                        freshness.count(),
                        "events",
                        elapsed,
                        Optional.empty(),
                        String.format(
                                Locale.ROOT,
                                "event to its window's document counting it: %s (target p99 <="
                                        + " %.0f s, the interval + 3 s: %s); %d entities, %.0f"
                                        + " events/s",
                                freshness.summaryMillis(),
                                target / 1000.0,
                                p99 <= target ? "met" : "short",
                                entities,
                                rate)));
    }

    /** 8: state bytes per active entity, windows open, closed, and after the TTL. */
    private void measureState(
            BenchmarkTable table,
            Servers servers,
            StreamingBenchmark streaming,
            List<String> events)
            throws Exception {
        int count = sizes.growthLarge();
        int entities = Math.max(10, count / 20);
        progress.accept(
                String.format(
                        Locale.ROOT,
                        "8: state of %,d events over %,d entities (savepoint sizes)...",
                        count,
                        entities));
        List<String> input = new ArrayList<>(count);
        while (input.size() < count) {
            input.addAll(events.subList(0, Math.min(events.size(), count - input.size())));
        }
        HostedApiServer stub = servers.stub();
        long start = System.nanoTime();
        StreamingBenchmark.StateSize size =
                streaming.stateSize(
                        new StreamingBenchmark.Scenario(
                                "8",
                                StreamingBenchmark.Window.HOURLY_SHORT_TTL,
                                stub.baseUri(),
                                ZERO_COST_MODEL,
                                stub::requests,
                                stub::texts),
                        input,
                        entities,
                        workDir.resolve("savepoints"));
        double elapsed = (System.nanoTime() - start) / 1e9;
        table.add(
                new BenchmarkTable.Row(
                        "8",
                        "state per active entity (1-hour windows, "
                                + count / entities
                                + " events each)",
                        entities,
                        "entities",
                        elapsed,
                        Optional.empty(),
                        String.format(
                                Locale.ROOT,
                                "canonical savepoint bytes per entity: %,d with the windows open"
                                        + " (%,d events kept); %,d once they closed (the"
                                        + " memory of emitted documents, sequence numbers); %,d"
                                        + " after the %d s unchanged-filter TTL (set short for the"
                                        + " run; 7 days by default)",
                                size.open() / entities,
                                count,
                                size.closed() / entities,
                                size.expired() / entities,
                                StreamingBenchmark.SHORT_TTL.toSeconds())));
    }

    /** 6: search quality and latency over clustered documents at the growth sizes. */
    private void measureSearch(BenchmarkTable table, Servers servers) throws Exception {
        new SearchBenchmark(
                        servers.connection(),
                        servers.openSearch().httpUri(),
                        LocalEmbeddingModel.DIMENSIONS,
                        progress)
                .run("6", List.of(sizes.growthSmall(), sizes.growthLarge()), sizes.searchQueries())
                .forEach(table::add);
    }

    /** 3: the peer, Flink SQL's ML_PREDICT with flink-model-openai, and 2a over it. */
    private void measurePeer(
            BenchmarkTable table, Servers servers, MiniCluster flink, List<String> texts)
            throws Exception {
        int count = Math.max(EMBED_BATCH, sizes.modelTexts() / 2);
        progress.accept(
                "3: the peer, Flink SQL ML_PREDICT (flink-model-openai), " + count + " texts...");
        URI embeddings = URI.create(servers.server().baseUri() + "/v1/embeddings");
        MlPredictPeer peer = new MlPredictPeer(flink.getRestAddress().get(30, TimeUnit.SECONDS));
        Map<String, Double> cpuBefore = servers.cpu().snapshot();
        MlPredictPeer.Result result =
                peer.run(
                        embeddings,
                        LocalEmbeddingModel.MODEL_ID,
                        texts.subList(0, count),
                        servers.counting());
        table.add(
                new BenchmarkTable.Row(
                        "3",
                        "Flink SQL ML_PREDICT, flink-model-openai (one text per request;"
                                + " max-concurrent-operations "
                                + MlPredictPeer.MAX_CONCURRENT
                                + ", at most "
                                + MlPredictPeer.OKHTTP_REQUESTS_PER_HOST
                                + " in flight: OkHttp's per-host cap)",
                        result.texts(),
                        "texts",
                        result.seconds(),
                        Optional.empty(),
                        String.format(
                                Locale.ROOT,
                                "%d requests; first request to last answer (whole job %.1f s)",
                                result.requests(),
                                result.jobSeconds())));
        Map<String, Double> cpuAfter = servers.cpu().snapshot();
        table.row("2a")
                .ifPresent(
                        twoA -> {
                            table.add(
                                    new BenchmarkTable.Row(
                                            "2a/3",
                                            "EmbedFlow 2a over the peer",
                                            twoA.items(),
                                            "texts",
                                            twoA.seconds(),
                                            Optional.of("3"),
                                            "2a's rate over 3's"));
                            table.target("2a/3", 5);
                            BenchmarkTable.Row ratio = table.row("2a/3").orElseThrow();
                            if (!table.meetsTarget(ratio).orElse(true)) {
                                table.addFinding(
                                        peerFinding(
                                                table,
                                                result,
                                                servers.counting(),
                                                CpuMeter.describe(
                                                        cpuBefore,
                                                        cpuAfter,
                                                        result.jobSeconds(),
                                                        Runtime.getRuntime()
                                                                .availableProcessors())));
                            }
                        });
    }

    /**
     * Rows 10: the int8 export of all-MiniLM-L6-v2 against the fp32 model, in process, on the same
     * texts (batches of {@value #EMBED_BATCH}): texts/s of each, the cosine of each int8 vector to
     * its fp32 vector, and retrieval quality of int8 on the labelled set (7's fp32 rows are the
     * comparison).
     */
    private void measureInt8(BenchmarkTable table, Servers servers, List<String> texts)
            throws Exception {
        List<String> sample = texts.subList(0, sizes.modelTexts());
        try (LocalEmbeddingModel fp32 = LocalEmbeddingModel.acquireShared();
                LocalEmbeddingModel int8 =
                        LocalEmbeddingModel.acquireShared(LocalModel.MINILM_L6_V2_INT8)) {
            progress.accept("10: the int8 model against fp32, " + sample.size() + " texts...");
            embedInBatches(fp32, sample.subList(0, EMBED_BATCH)); // warm-up
            embedInBatches(int8, sample.subList(0, EMBED_BATCH));
            long start = System.nanoTime();
            List<Embedding> a = embedInBatches(fp32, sample);
            double fp32Seconds = seconds(start);
            start = System.nanoTime();
            List<Embedding> b = embedInBatches(int8, sample);
            double int8Seconds = seconds(start);
            double sum = 0;
            double min = 1;
            for (int i = 0; i < a.size(); i++) {
                double cosine = a.get(i).cosine(b.get(i));
                sum += cosine;
                min = Math.min(min, cosine);
            }
            String cosines =
                    String.format(
                            Locale.ROOT,
                            "cosine of int8 to fp32: mean %.4f, least %.4f",
                            sum / a.size(),
                            min);
            table.add(
                    new BenchmarkTable.Row(
                            "10f",
                            "all-MiniLM-L6-v2 fp32 in process (" + EMBED_BATCH + "/batch)",
                            sample.size(),
                            "texts",
                            fp32Seconds,
                            Optional.empty(),
                            ""));
            table.add(
                    new BenchmarkTable.Row(
                            "10i",
                            "all-MiniLM-L6-v2-int8 in process (" + EMBED_BATCH + "/batch)",
                            sample.size(),
                            "texts",
                            int8Seconds,
                            Optional.of("10f"),
                            cosines));
            new RetrievalQuality(
                            servers.connection(), servers.openSearch().httpUri(), int8, progress)
                    .run("10q")
                    .forEach(table::add);
        }
    }

    private static List<Embedding> embedInBatches(LocalEmbeddingModel model, List<String> texts) {
        List<Embedding> all = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += EMBED_BATCH) {
            all.addAll(
                    model.embed(
                            texts.subList(from, Math.min(texts.size(), from + EMBED_BATCH)),
                            dev.embedflow.model.TruncationPolicy.TRUNCATE));
        }
        return all;
    }

    /**
     * Rows 9: EmbedFlow and the tuned ML_PREDICT against the hosted-API stand-in in three profiles:
     * hosted with OpenAI's 429s, hosted with Azure's, a self-hosted GPU server.
     */
    private void measureHosted(
            BenchmarkTable table,
            Servers servers,
            MiniCluster flink,
            StreamingBenchmark streaming,
            List<String> events,
            List<String> texts)
            throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        MlPredictPeer.Tuning tuning = new MlPredictPeer.Tuning(cores, 10, true);
        // The OkHttp dispatcher under flink-model-openai allows 5 requests per host per JVM: the
        // peer once more on a standalone cluster of two TaskManager JVMs, a subtask in each.
        MlPredictPeer.Tuning twoJvms = new MlPredictPeer.Tuning(2, 10, true);
        Optional<FlinkCluster> cluster = startPeerCluster(table, twoJvms.parallelism());
        try {
            measureHosted(
                    table, servers, flink, streaming, events, texts, tuning, twoJvms, cluster);
        } finally {
            cluster.ifPresent(FlinkCluster::close);
        }
    }

    /**
     * A standalone Flink cluster of {@code taskManagers} TaskManager JVMs with one slot each, on
     * the build's Flink distribution {@code lib/} ({@code src/dev-servers/target/flink-lib}, with
     * the Table API and planner); empty, with a finding, where it cannot start.
     */
    private Optional<FlinkCluster> startPeerCluster(BenchmarkTable table, int taskManagers) {
        Path lib =
                Path.of(System.getProperty("embedflow.home", "."))
                        .resolve("src/dev-servers/target/flink-lib");
        try {
            progress.accept(
                    "9: starting a standalone Flink cluster of "
                            + taskManagers
                            + " TaskManagers for ML_PREDICT...");
            FlinkCluster cluster =
                    FlinkCluster.builder()
                            .workDir(workDir.resolve("flink-cluster"))
                            .libDir(lib)
                            .slots(1)
                            .build();
            return Optional.of(cluster.start(taskManagers));
        } catch (RuntimeException e) {
            table.addFinding(
                    "Rows 9, ML_PREDICT on "
                            + taskManagers
                            + " TaskManager JVMs: not measured, the standalone cluster on "
                            + lib
                            + " did not start ("
                            + HostedApiBenchmark.firstLine(e.getMessage())
                            + ").");
            return Optional.empty();
        }
    }

    /** The jar (or class directory) {@code type} was loaded from. */
    private static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("Cannot locate the jar of " + type.getName(), e);
        }
    }

    private void measureHosted(
            BenchmarkTable table,
            Servers servers,
            MiniCluster flink,
            StreamingBenchmark streaming,
            List<String> events,
            List<String> texts,
            MlPredictPeer.Tuning tuning,
            MlPredictPeer.Tuning twoJvms,
            Optional<FlinkCluster> cluster)
            throws Exception {
        HostedApiBenchmark hosted =
                new HostedApiBenchmark(
                        flink, streaming, servers.connection(), servers.cpu(), progress);
        Optional<SpringAiPeerProcess> springAi =
                SpringAiPeerProcess.locate(
                        Path.of(System.getProperty("embedflow.home", ".")),
                        workDir.resolve("spring-ai"));
        if (springAi.isEmpty()) {
            table.addFinding(
                    "Rows 9, Spring AI: not measured, its peer is not built"
                            + " (src/spring-ai-peer/target; `./mvnw package` builds it).");
        }
        List<HostedApiProfile> profiles =
                List.of(
                        HostedApiProfile.hosted(HostedApiProfile.Dialect.OPENAI),
                        HostedApiProfile.hosted(HostedApiProfile.Dialect.AZURE),
                        HostedApiProfile.gpu());
        for (HostedApiProfile profile : profiles) {
            String id =
                    switch (profile.dialect()) {
                        case OPENAI -> "9o";
                        case AZURE -> "9a";
                        case NONE -> "9g";
                    };
            boolean limited = profile.limited();
            int batchTexts = limited ? sizes.hostedEvents() : sizes.unlimitedEvents();
            int peerTexts = limited ? sizes.hostedPeerTexts() : sizes.unlimitedPeerTexts();
            try (HostedApiServer server =
                    HostedApiServer.start(profile, LocalEmbeddingModel.DIMENSIONS)) {
                HostedApiBenchmark.Cell embedFlow =
                        hosted.embedFlow(server, events.subList(0, batchTexts), sizes.runs());
                HostedApiBenchmark.Cell peer =
                        hosted.mlPredict(server, texts.subList(0, peerTexts), tuning, sizes.runs());
                Optional<HostedApiBenchmark.Cell> peerOnCluster = Optional.empty();
                if (cluster.isPresent()) {
                    try {
                        peerOnCluster =
                                Optional.of(
                                        hosted.mlPredictOnCluster(
                                                server,
                                                texts.subList(0, peerTexts),
                                                twoJvms,
                                                sizes.runs(),
                                                cluster.get().restUri(),
                                                List.of(
                                                        jarOf(Class.forName(MODEL_PROVIDER))
                                                                .toString(),
                                                        // the peer's own source function
                                                        jarOf(MlPredictPeer.class).toString()),
                                                twoJvms.parallelism(),
                                                cluster.get().processIds()));
                    } catch (Exception e) {
                        table.addFinding(
                                "Row "
                                        + id
                                        + "-m2 (ML_PREDICT on "
                                        + twoJvms.parallelism()
                                        + " TaskManager JVMs): not measured, the job failed ("
                                        + HostedApiBenchmark.firstLine(e.getMessage())
                                        + ").");
                    }
                }
                HostedApiBenchmark.Cell langChain4j =
                        hosted.langChain4j(server, texts.subList(0, batchTexts), sizes.runs());
                Optional<HostedApiBenchmark.Cell> springAiCell = Optional.empty();
                if (springAi.isPresent()) {
                    springAiCell =
                            Optional.of(
                                    hosted.springAi(
                                            server,
                                            texts.subList(0, batchTexts),
                                            sizes.runs(),
                                            springAi.get(),
                                            servers.openSearch().httpUri(),
                                            LocalEmbeddingModel.DIMENSIONS));
                }
                HostedApiBenchmark.Run e = embedFlow.median();
                HostedApiBenchmark.Run m = peer.median();
                HostedApiBenchmark.Run l = langChain4j.median();
                addCell(
                        table,
                        id + "-l",
                        "LangChain4j ingestor vs " + profile.name() + " stand-in",
                        langChain4j,
                        profile);
                addCell(
                        table,
                        id + "-e",
                        "EmbedFlow vs " + profile.name() + " stand-in",
                        embedFlow,
                        profile);
                addCell(
                        table,
                        id + "-m",
                        "ML_PREDICT (flink-model-openai), tuned, vs "
                                + profile.name()
                                + " stand-in",
                        peer,
                        profile);
                if (peerOnCluster.isPresent()) {
                    HostedApiBenchmark.Run m2 = peerOnCluster.get().median();
                    addCell(
                            table,
                            id + "-m2",
                            "ML_PREDICT (flink-model-openai), tuned, on "
                                    + twoJvms.parallelism()
                                    + " TaskManager JVMs, vs "
                                    + profile.name()
                                    + " stand-in",
                            peerOnCluster.get(),
                            profile);
                    // The ratio is taken over the peer's better setting.
                    if (m2.lost() == 0 && (m.lost() > 0 || m2.rate() > m.rate())) {
                        comparePeer(table, profile, id, e, "m2", "ML_PREDICT on 2 JVMs", m2, 5);
                    } else {
                        comparePeer(table, profile, id, e, "m", "ML_PREDICT", m, 5);
                    }
                } else {
                    comparePeer(table, profile, id, e, "m", "ML_PREDICT", m, 5);
                }
                comparePeer(table, profile, id, e, "l", "LangChain4j", l, 1.5);
                if (springAiCell.isPresent()) {
                    HostedApiBenchmark.Run sa = springAiCell.get().median();
                    addCell(
                            table,
                            id + "-s",
                            "Spring AI ETL writer vs " + profile.name() + " stand-in",
                            springAiCell.get(),
                            profile);
                    comparePeer(table, profile, id, e, "s", "Spring AI", sa, 1.5);
                }
                if (!limited) {
                    table.addFinding(indexBoundFinding(table, id, e, l, springAiCell));
                }
                double ceiling =
                        profile.ceilingTextsPerSecond(e.textsPerRequest(), e.tokensPerText());
                if (!Double.isInfinite(ceiling)) {
                    table.add(
                            new BenchmarkTable.Row(
                                    id + "-c",
                                    "the " + profile.name() + " ceiling for EmbedFlow's requests",
                                    e.texts(),
                                    "texts",
                                    e.texts() / ceiling,
                                    Optional.empty(),
                                    String.format(
                                            Locale.ROOT,
                                            "min(%d RPM x %.0f texts/request, %d TPM / %.1f"
                                                    + " tokens/text) / 60 s; assumed latency"
                                                    + " log-normal, median %d ms, p99 %d ms, +%d"
                                                    + " ns per token",
                                            profile.requestsPerMinute(),
                                            e.textsPerRequest(),
                                            profile.tokensPerMinute(),
                                            e.tokensPerText(),
                                            profile.medianLatency().toMillis(),
                                            profile.p99Latency().toMillis(),
                                            profile.perTokenCost().toNanos())));
                    table.add(
                            new BenchmarkTable.Row(
                                    id + "-e/c",
                                    "EmbedFlow over the ceiling, " + profile.name(),
                                    e.texts(),
                                    "texts",
                                    e.seconds(),
                                    Optional.of(id + "-c"),
                                    "the fraction of what any client could get"));
                    table.target(id + "-e/c", 0.9);
                }
            }
        }
    }

    /** A row of rows 9: a cell's median run, the texts that arrived, and its per-cell figures. */
    private static void addCell(
            BenchmarkTable table,
            String id,
            String label,
            HostedApiBenchmark.Cell cell,
            HostedApiProfile profile) {
        HostedApiBenchmark.Run median = cell.median();
        table.add(
                new BenchmarkTable.Row(
                        id,
                        label,
                        median.texts() - median.lost(),
                        "texts",
                        median.seconds(),
                        Optional.empty(),
                        cell.describe(profile)));
    }

    /**
     * Without rate limits the embedding API is not what bounds a batching client: the finding sets
     * the three clients beside OpenSearch's own bulk rate (1b) when it was measured in this run.
     */
    private static String indexBoundFinding(
            BenchmarkTable table,
            String id,
            HostedApiBenchmark.Run embedFlow,
            HostedApiBenchmark.Run langChain4j,
            Optional<HostedApiBenchmark.Cell> springAi) {
        String bulk =
                table.row("1b")
                        .map(
                                raw ->
                                        String.format(
                                                Locale.ROOT,
                                                " OpenSearch bulk alone with precomputed vectors"
                                                        + " (1b) took %.0f docs/s on this machine:"
                                                        + " a client that writes every text"
                                                        + " cannot go much faster, so no ratio of"
                                                        + " 1.5 between two clients that reach it"
                                                        + " is possible here.",
                                                raw.rate()))
                        .orElse("");
        return String.format(
                Locale.ROOT,
                "Rows %s: without rate limits the embedding server answers in about 10 ms, and the"
                        + " index sets the pace: EmbedFlow %.0f texts/s (Kafka to the index),"
                        + " LangChain4j %.0f%s.%s",
                id,
                embedFlow.rate(),
                langChain4j.rate(),
                springAi.map(c -> String.format(Locale.ROOT, ", Spring AI %.0f", c.median().rate()))
                        .orElse(""),
                bulk);
    }

    /**
     * EmbedFlow's ratio over a peer of rows 9, with its target; a peer that lost texts did not do
     * the job, so instead of a ratio the report says what it lost.
     */
    private static void comparePeer(
            BenchmarkTable table,
            HostedApiProfile profile,
            String id,
            HostedApiBenchmark.Run embedFlow,
            String suffix,
            String peer,
            HostedApiBenchmark.Run run,
            double target) {
        if (run.lost() > 0) {
            table.addFinding(
                    String.format(
                            Locale.ROOT,
                            "Row %s-%s: %s lost %d of %d texts against the %s stand-in (it gave"
                                    + " up under 429); EmbedFlow lost %d. No ratio is given for a"
                                    + " job left undone.",
                            id,
                            suffix,
                            peer,
                            run.lost(),
                            run.texts(),
                            profile.name(),
                            embedFlow.lost()));
            return;
        }
        String ratioId = id + "-e/" + suffix;
        table.add(
                new BenchmarkTable.Row(
                        ratioId,
                        "EmbedFlow over " + peer + ", " + profile.name(),
                        embedFlow.texts() - embedFlow.lost(),
                        "texts",
                        embedFlow.seconds(),
                        Optional.of(id + "-" + suffix),
                        "the rates' ratio"));
        table.target(ratioId, target);
    }

    private String peerFinding(
            BenchmarkTable table,
            MlPredictPeer.Result peer,
            CountingEmbedder counting,
            String cpu) {
        double peerRate = peer.texts() / peer.seconds();
        String ceiling =
                table.row("1a")
                        .map(
                                raw ->
                                        String.format(
                                                Locale.ROOT,
                                                "The peer reached %.2fx of the raw server's rate"
                                                        + " (1a), so even a job as fast as the"
                                                        + " raw server would stand at %.1fx of"
                                                        + " the peer on this machine: the model,"
                                                        + " not the job, sets the ceiling of"
                                                        + " this ratio here.",
                                                peerRate / raw.rate(),
                                                raw.rate() / peerRate))
                        .orElse("");
        return String.format(
                Locale.ROOT,
                "**2a/3**: the peer sent %d requests for %d texts (one per request); EmbedFlow 2a"
                        + " sent %s. The embedding server merges the requests it has queued into"
                        + " its model batches (as TEI does), so the peer's requests in flight (at"
                        + " most %d, though it asks for %d: openai-java's OkHttp client allows 5 per"
                        + " host per JVM) still reach the model together, each text"
                        + " with its own HTTP request and JSON. %s What EmbedFlow saves beyond that"
                        + " is requests, which decide against a remote API with a per-request rate"
                        + " limit or network latency, not against a local model. CPU during 3"
                        + " (whole job): %s.\n",
                peer.requests(),
                peer.texts(),
                twoARequests,
                MlPredictPeer.OKHTTP_REQUESTS_PER_HOST,
                MlPredictPeer.MAX_CONCURRENT,
                ceiling,
                cpu);
    }

    /** Starts Kafka; if it fails, stops OpenSearch, which starts in parallel. */
    private KafkaBroker startKafka(CompletableFuture<OpenSearchNode> openSearchStart) {
        try {
            return KafkaBroker.builder()
                    .workDir(workDir.resolve("kafka"))
                    .port(0)
                    .controllerPort(0)
                    .keepData(false)
                    .build()
                    .start();
        } catch (RuntimeException e) {
            openSearchStart.thenAccept(OpenSearchNode::close);
            throw e;
        }
    }

    private OpenSearchNode startOpenSearch() {
        OpenSearchNode node =
                OpenSearchNode.builder()
                        .home(openSearchHome)
                        .workDir(workDir.resolve("opensearch"))
                        .httpPort(0)
                        .transportPort(0)
                        .keepData(false)
                        .throwaway(true)
                        // 100k vectors of 384 floats and their HNSW merges: 512m thrashes.
                        .heap(OPENSEARCH_HEAP)
                        .build();
        node.start();
        return node;
    }

    /** {@code count} sample events, the same every run. */
    static List<String> sampleEvents(int count) {
        return sampleEvents(count, Math.max(25, count / 12));
    }

    /** {@code count} sample events about {@code customers} customers, the same every run. */
    static List<String> sampleEvents(int count, int customers) {
        Instant start = Instant.parse("2026-01-01T00:00:00Z").truncatedTo(ChronoUnit.HOURS);
        return new SampleBusiness(42, start).events(count, customers);
    }

    /** The documents the job makes of these events with window NONE: one text per event. */
    static List<String> render(List<String> events) {
        DocumentRenderer renderer = new DocumentRenderer(DocumentRenderer.ONE_EVENT_TEMPLATE, 100);
        List<String> texts = new ArrayList<>(events.size());
        for (Event event : parse(events)) {
            texts.add(
                    renderer.render(
                            event.getEntity(),
                            event.getEventTime(),
                            event.getEventTime(),
                            List.of(event)));
        }
        return texts;
    }

    /** CloudEvents JSON as the job's source parses them. */
    static List<Event> parse(List<String> events) {
        EventParser parser = new EventParser(EventFormat.cloudEvents());
        List<Event> parsed = new ArrayList<>(events.size());
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
            parsed.add(record.getEvent());
        }
        return parsed;
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
        // One slot per core: EmbedFlow's jobs run at parallelism 1, the tuned ML_PREDICT peer of
        // rows 9 at parallelism = cores.
        int slots = Runtime.getRuntime().availableProcessors();
        config.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        MiniCluster flink =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        flink.start();
        return flink;
    }

    private static OpenSearchConnectionConfig openSearchConfig(URI uri) {
        Configuration config = new Configuration();
        config.setString("opensearch.hosts", uri.toString());
        // A refresh after a 20k-document burst builds HNSW graphs: on 2 cores that took over a
        // minute once. The benchmark waits for it rather than fail.
        config.setString("opensearch.response-timeout", "5 min");
        return OpenSearchConnectionConfig.fromConfiguration(config);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
