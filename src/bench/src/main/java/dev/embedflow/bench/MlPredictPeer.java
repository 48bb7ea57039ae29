package dev.embedflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;

/**
 * Row 3, the peer: Flink SQL's own {@code ML_PREDICT} with the OpenAI model provider ({@code
 * org.apache.flink:flink-model-openai}) against the same OpenAI-compatible embedding server, on the
 * same MiniCluster (or a standalone cluster). It sends one text per request (the provider's
 * design), asynchronously, with Flink's default of {@value #MAX_CONCURRENT} requests in flight
 * ({@code table.exec.async-ml-predict.max-concurrent-operations}) unless tuned, of which OkHttp
 * lets {@value #OKHTTP_REQUESTS_PER_HOST} per JVM be in flight. The texts come from a parallel
 * sequence source over the same rendered documents; the results go to a blackhole sink.
 *
 * <p>Timing: from the first request the server received to its last answer (counted by the server's
 * {@link CountingEmbedder}), so neither the job's start nor its end is in it: the peer's most
 * favourable measure.
 */
final class MlPredictPeer {

    static final int MAX_CONCURRENT =
            ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS
                    .defaultValue();

    /**
     * Requests in flight per host that the OkHttp dispatcher under flink-model-openai's openai-java
     * allows (its default {@code maxRequestsPerHost}), one client per JVM: whatever {@link
     * #MAX_CONCURRENT} says, a JVM never has more.
     */
    static final int OKHTTP_REQUESTS_PER_HOST = 5;

    /**
     * Texts, seconds the server was busy with them, requests it answered, whole job seconds, and
     * where the job's ML_PREDICT subtasks ran (e.g. {@code 2 subtasks on taskmanager-1,
     * taskmanager-2}), as the cluster's REST API says.
     */
    record Result(long texts, double seconds, long requests, double jobSeconds, String placement) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final URI flinkRest;
    private final List<String> jars;

    /** The peer on the cluster at {@code flinkRest}, whose class path has the model provider. */
    MlPredictPeer(URI flinkRest) {
        this(flinkRest, List.of());
    }

    /**
     * The peer on the cluster at {@code flinkRest}, shipping {@code jars} (the model provider's)
     * with each job, as a user submitting to a session cluster does.
     */
    MlPredictPeer(URI flinkRest, List<String> jars) {
        this.flinkRest = flinkRest;
        this.jars = List.copyOf(jars);
    }

    /**
     * How the peer is tuned.
     *
     * @param parallelism the job's parallelism
     * @param maxConcurrent {@code table.exec.async-ml-predict.max-concurrent-operations}
     * @param unordered {@code table.exec.async-ml-predict.output-mode} ALLOW_UNORDERED (else
     *     ORDERED)
     */
    record Tuning(int parallelism, int maxConcurrent, boolean unordered) {
        /** Flink's defaults, one subtask. */
        static final Tuning DEFAULTS = new Tuning(1, MAX_CONCURRENT, false);

        @Override
        public String toString() {
            return "parallelism "
                    + parallelism
                    + ", max-concurrent-operations "
                    + maxConcurrent
                    + ", output-mode "
                    + (unordered ? "ALLOW_UNORDERED" : "ORDERED")
                    + " (the provider's own defaults: error-handling-strategy RETRY, retry-num"
                    + " 100, retry-fallback-strategy FAILOVER)";
        }
    }

    Result run(URI embeddingsEndpoint, String model, List<String> texts, CountingEmbedder counting)
            throws Exception {
        return run(
                embeddingsEndpoint,
                model,
                texts,
                Tuning.DEFAULTS,
                counting::reset,
                counting::texts,
                counting::calls,
                counting::busySeconds);
    }

    /**
     * Runs the peer over {@code texts} with {@code tuning}; the counters are the server's ({@code
     * reset} before the run; texts and requests after it; the seconds it was busy).
     */
    Result run(
            URI embeddingsEndpoint,
            String model,
            List<String> texts,
            Tuning tuning,
            Runnable reset,
            java.util.function.LongSupplier embedded,
            java.util.function.LongSupplier requests,
            java.util.function.DoubleSupplier busySeconds)
            throws Exception {
        Configuration config = new Configuration();
        config.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        flinkRest.getHost(),
                        flinkRest.getPort(),
                        config,
                        jars.toArray(String[]::new));
        env.setParallelism(tuning.parallelism());
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.getConfig()
                .set(
                        ExecutionConfigOptions
                                .TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS,
                        tuning.maxConcurrent());
        tables.getConfig()
                .set(
                        ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_OUTPUT_MODE,
                        tuning.unordered()
                                ? ExecutionConfigOptions.AsyncOutputMode.ALLOW_UNORDERED
                                : ExecutionConfigOptions.AsyncOutputMode.ORDERED);
        // A parallel source: the planner runs ML_PREDICT at its input's parallelism, and a
        // collection source (fromData) has one subtask.
        DataStream<String> stream =
                env.fromSequence(0, texts.size() - 1)
                        .map(new TextAt(texts.toArray(String[]::new)))
                        .returns(org.apache.flink.api.common.typeinfo.Types.STRING);
        tables.createTemporaryView("texts", tables.fromDataStream(stream).as("text"));
        tables.executeSql(
                "CREATE TEMPORARY TABLE embedded (text STRING, embedding ARRAY<FLOAT>)"
                        + " WITH ('connector' = 'blackhole')");
        tables.executeSql(
                "CREATE MODEL embedder INPUT (`text` STRING) OUTPUT (`embedding` ARRAY<FLOAT>)"
                        + " WITH ('provider' = 'openai', 'endpoint' = '"
                        + embeddingsEndpoint
                        + "', 'api-key' = 'benchmark', 'model' = '"
                        + model
                        + "')");
        reset.run();
        long start = System.nanoTime();
        TableResult result =
                tables.executeSql(
                        "INSERT INTO embedded SELECT text, embedding"
                                + " FROM ML_PREDICT(TABLE texts, MODEL embedder, DESCRIPTOR(text))");
        result.await(10, TimeUnit.MINUTES);
        double jobSeconds = (System.nanoTime() - start) / 1e9;
        String placement =
                result.getJobClient()
                        .map(client -> placement(client.getJobID().toHexString()))
                        .orElse("unknown");
        if (embedded.getAsLong() < texts.size()) {
            throw new IllegalStateException(
                    "ML_PREDICT embedded "
                            + embedded.getAsLong()
                            + " of "
                            + texts.size()
                            + " texts");
        }
        return new Result(
                texts.size(),
                busySeconds.getAsDouble(),
                requests.getAsLong(),
                jobSeconds,
                placement);
    }

    /**
     * The subtasks of the job's ML_PREDICT vertex and the TaskManagers they ran on ({@code GET
     * /jobs/:id/vertices/:vertex}).
     */
    private String placement(String jobId) {
        try {
            JsonNode job = rest("/jobs/" + jobId);
            for (JsonNode vertex : job.path("vertices")) {
                if (!vertex.path("name").asText().contains("ML_PREDICT")
                        && !vertex.path("name").asText().contains("MLPredict")) {
                    continue;
                }
                JsonNode detail =
                        rest("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText());
                java.util.SortedSet<String> hosts = new java.util.TreeSet<>();
                detail.path("subtasks")
                        .forEach(subtask -> hosts.add(subtask.path("taskmanager-id").asText()));
                return vertex.path("parallelism").asInt()
                        + " ML_PREDICT subtasks on "
                        + hosts.size()
                        + (hosts.size() == 1 ? " TaskManager" : " TaskManagers");
            }
            return "no ML_PREDICT vertex found";
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private JsonNode rest(String path) throws java.io.IOException, InterruptedException {
        HttpResponse<String> response =
                HTTP.send(
                        HttpRequest.newBuilder(flinkRest.resolve(path)).build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /**
     * The text at a sequence number: a class of its own, so that a cluster loads it from the
     * shipped jar without this class and what it uses.
     */
    static final class TextAt
            implements org.apache.flink.api.common.functions.MapFunction<Long, String> {
        private final String[] texts;

        TextAt(String[] texts) {
            this.texts = texts;
        }

        @Override
        public String map(Long i) {
            return texts[Math.toIntExact(i)];
        }
    }
}
