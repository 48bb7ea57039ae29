package dev.embedflow.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.sink.IndexAction;
import dev.embedflow.sink.OpenSearchSink;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * Rows 2s: the job's OpenSearch sink alone ({@link OpenSearchSink}, a Sink V2 writer), fed the same
 * kind of documents as 1b (the rendered texts with precomputed 384-dim unit vectors, entity and
 * model) from a bounded source on the benchmark's MiniCluster, so that its documents/s compare with
 * raw bulk: versioned with several bulks in flight (what the streaming job sends), with one, and
 * unversioned (written in order).
 *
 * <p>The job starts first and builds every vector while its source waits behind a gate; the clock
 * runs from opening the gate to the last index operation OpenSearch counts (as 2b's), so neither
 * the job's start nor the vectors are in it.
 */
final class SinkBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The source's gate. The MiniCluster runs in this JVM, so the benchmark opens it directly; one
     * run at a time.
     */
    static final AtomicBoolean GATE = new AtomicBoolean();

    /** A run's figures. */
    record Result(long documents, double seconds) {
        double rate() {
            return documents / seconds;
        }
    }

    private final MiniCluster flink;
    private final URI openSearch;
    private final OpenSearchConnection connection;
    private final StreamingBenchmark streaming;
    private final Path workDir;
    private final Consumer<String> progress;

    SinkBenchmark(
            MiniCluster flink,
            URI openSearch,
            OpenSearchConnection connection,
            StreamingBenchmark streaming,
            Path workDir,
            Consumer<String> progress) {
        this.flink = flink;
        this.openSearch = openSearch;
        this.connection = connection;
        this.streaming = streaming;
        this.workDir = workDir;
        this.progress = progress;
    }

    /** Indexes {@code texts} through the sink into a fresh index, as {@code name}. */
    Result run(String name, List<String> texts, int bulkSize, int inFlight, boolean versioned)
            throws Exception {
        IndexSpec spec =
                IndexSpec.builder()
                        .baseName("bench-" + name)
                        .model(LocalEmbeddingModel.MODEL_ID)
                        .dimension(LocalEmbeddingModel.DIMENSIONS)
                        .replicas(0)
                        .build();
        new IndexManager(connection).ensureIndex(spec);
        Path textsFile = workDir.resolve("sink-" + name + ".json");
        Files.createDirectories(workDir);
        JSON.writeValue(textsFile.toFile(), texts);

        GATE.set(false);
        StreamExecutionEnvironment env = new StreamExecutionEnvironment();
        env.setParallelism(1);
        env.fromSequence(0, texts.size() - 1)
                .map(new Documents(textsFile.toString(), versioned))
                .returns(TypeInformation.of(IndexAction.class))
                .sinkTo(
                        OpenSearchSink.builder()
                                .connection(
                                        OpenSearchConnectionConfig.builder()
                                                .host(openSearch.toString())
                                                .build())
                                .index(spec.indexName())
                                .bulkMaxActions(bulkSize)
                                .bulkMaxInFlight(inFlight)
                                .bulkInterval(Duration.ofSeconds(1))
                                .build());
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("EmbedFlow bench " + name);
        JobID job = flink.submitJob(graph.getJobGraph()).get(30, TimeUnit.SECONDS).getJobID();
        try {
            streaming.awaitReady(job, spec.indexName());
            long before = streaming.indexOperations(spec.indexName());
            long start = System.nanoTime();
            GATE.set(true);
            long[] done = streaming.awaitIndexed(spec.indexName(), before, texts.size(), start);
            double seconds = (done[1] - start) / 1e9;
            progress.accept(
                    String.format(
                            Locale.ROOT,
                            "    %d documents in %.1f s, %.0f docs/s",
                            done[0],
                            seconds,
                            done[0] / seconds));
            flink.requestJobResult(job).get(2, TimeUnit.MINUTES);
            return new Result(done[0], seconds);
        } finally {
            GATE.set(false);
            if (!flink.getJobStatus(job).get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                flink.cancelJob(job).get(30, TimeUnit.SECONDS);
            }
            connection.send("DELETE", "/" + spec.indexName(), null);
        }
    }

    /**
     * Document {@code i}: text {@code i}, entity {@code bench-i}, a unit vector made in {@code
     * open} (before the gate opens), version {@code i + 1} when versioned.
     */
    static final class Documents extends RichMapFunction<Long, IndexAction> {
        private static final long serialVersionUID = 1L;

        private final String textsFile;
        private final boolean versioned;
        private transient List<String> texts;
        private transient float[][] vectors;

        Documents(String textsFile, boolean versioned) {
            this.textsFile = textsFile;
            this.versioned = versioned;
        }

        @Override
        public void open(OpenContext context) throws IOException {
            texts =
                    JSON.readValue(
                            Path.of(textsFile).toFile(), new TypeReference<List<String>>() {});
            Random random = new Random(7);
            vectors = new float[texts.size()][];
            for (int i = 0; i < texts.size(); i++) {
                vectors[i] = Benchmark.unitVector(random, LocalEmbeddingModel.DIMENSIONS);
            }
        }

        @Override
        public IndexAction map(Long n) throws InterruptedException {
            while (!GATE.get()) {
                Thread.sleep(1);
            }
            int i = n.intValue();
            return IndexAction.upsert("sink-" + i)
                    .entity("bench-" + i)
                    .text(texts.get(i))
                    .vector(vectors[i])
                    .model(LocalEmbeddingModel.MODEL_ID)
                    .version(versioned ? i + 1 : 0)
                    .build();
        }
    }
}
