package dev.embedflow.bench;

import java.net.URI;
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
 * same MiniCluster. It sends one text per request (the provider's design), asynchronously, with
 * Flink's default of {@value #MAX_CONCURRENT} requests in flight ({@code
 * table.exec.async-ml-predict.max-concurrent-operations}). The texts come from a bounded stream of
 * the same rendered documents; the results go to a blackhole sink.
 *
 * <p>Timing: from the first request the server received to its last answer (counted by the server's
 * {@link CountingEmbedder}), so neither the job's start nor its end is in it: the peer's most
 * favourable measure.
 */
final class MlPredictPeer {

    static final int MAX_CONCURRENT =
            ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS
                    .defaultValue();

    /** Texts, seconds the server was busy with them, requests it answered, whole job seconds. */
    record Result(long texts, double seconds, long requests, double jobSeconds) {}

    private final URI flinkRest;

    MlPredictPeer(URI flinkRest) {
        this.flinkRest = flinkRest;
    }

    Result run(URI embeddingsEndpoint, String model, List<String> texts, CountingEmbedder counting)
            throws Exception {
        Configuration config = new Configuration();
        config.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        flinkRest.getHost(), flinkRest.getPort(), config);
        env.setParallelism(1);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        DataStream<String> stream = env.fromData(texts);
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
        counting.reset();
        long start = System.nanoTime();
        TableResult result =
                tables.executeSql(
                        "INSERT INTO embedded SELECT text, embedding"
                                + " FROM ML_PREDICT(TABLE texts, MODEL embedder, DESCRIPTOR(text))");
        result.await(10, TimeUnit.MINUTES);
        double jobSeconds = (System.nanoTime() - start) / 1e9;
        if (counting.texts() < texts.size()) {
            throw new IllegalStateException(
                    "ML_PREDICT embedded " + counting.texts() + " of " + texts.size() + " texts");
        }
        return new Result(texts.size(), counting.busySeconds(), counting.calls(), jobSeconds);
    }
}
