package dev.embedflow.sink;

import static dev.embedflow.sink.SinkTestSupport.DIMENSION;
import static dev.embedflow.sink.SinkTestSupport.connection;
import static dev.embedflow.sink.SinkTestSupport.count;
import static dev.embedflow.sink.SinkTestSupport.spec;
import static dev.embedflow.sink.SinkTestSupport.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink rides out an OpenSearch outage: it backpressures on bounded memory, retries, and loses
 * nothing. While OpenSearch is down no checkpoint completes (the barrier waits for the sink's
 * flush); checkpoints time out and count as failed, and once OpenSearch is back the next one
 * completes with every document stored.
 */
@ExtendWith(OpenSearchExtension.class)
class OpenSearchSinkOutageITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .build());

    private static final int DOCUMENTS = 2_000;
    private static final AtomicLong COMPLETED = new AtomicLong();
    private static final AtomicLong ABORTED = new AtomicLong();

    @Test
    void openSearchStoppedMidRunLosesNothingAndCheckpointsWaitForIt(
            OpenSearchTestIndex index, OpenSearchNode node) throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        OpenSearchSink sink =
                OpenSearchSink.builder()
                        .connection(connection(index))
                        .index(spec)
                        .bulkMaxActions(50)
                        .maxBufferedActions(200)
                        .bulkMaxSize(MemorySize.parse("16kb"))
                        .maxBufferedSize(MemorySize.parse("64kb"))
                        .bulkInterval(Duration.ofMillis(200))
                        .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.configure(
                Configuration.fromMap(
                        Map.of(
                                "execution.checkpointing.interval", "10 s",
                                "execution.checkpointing.timeout", "3 s",
                                "execution.checkpointing.tolerable-failed-checkpoints", "1000")));
        env.fromSequence(0, DOCUMENTS - 1)
                .map(new SlowUpserts())
                .returns(TypeInformation.of(IndexAction.class))
                .sinkTo(sink);
        JobClient job = env.executeAsync("outage");

        awaitCount(index, spec.indexName(), 100, Duration.ofSeconds(30));
        // Stop right after a checkpoint: the next barrier is seconds away, so the writer keeps
        // taking records (about 100 KB/s) into its buffer until the byte bound stops it. (Once
        // a barrier arrives, the task waits in the sink's flush and takes no more records.)
        long completedBefore = COMPLETED.get();
        await("a checkpoint just before the outage", () -> COMPLETED.get() > completedBefore);
        node.stop();
        long completedAtStop = COMPLETED.get();
        long abortedAtStop = ABORTED.get();
        long[] mostPendingBytes = {0};
        await(
                "two checkpoints timing out",
                () -> {
                    mostPendingBytes[0] =
                            Math.max(mostPendingBytes[0], pendingBytes(job.getJobID()));
                    return ABORTED.get() >= abortedAtStop + 2;
                });
        assertThat(mostPendingBytes[0])
                .as("the writer holds at most its byte bound, plus the action that crossed it")
                .isGreaterThan(32 * 1024)
                .isLessThanOrEqualTo(64 * 1024 + 2 * 1024);
        assertThat(COMPLETED.get())
                .as("no checkpoint completes while the sink cannot flush")
                .isLessThanOrEqualTo(completedAtStop + 1);
        assertThat(job.getJobStatus().get().isTerminalState())
                .as("the job waits for OpenSearch instead of finishing or failing")
                .isFalse();
        node.start();
        long completedAtRestart = COMPLETED.get();
        await("a checkpoint after OpenSearch is back", () -> COMPLETED.get() > completedAtRestart);
        job.getJobExecutionResult().get(90, TimeUnit.SECONDS);

        assertThat(count(index, spec.indexName())).isEqualTo(DOCUMENTS);
    }

    @Test
    void freshnessIsMeasuredFromTheNewestEventToOpenSearchsAnswer(OpenSearchTestIndex index)
            throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        long minuteAgo = System.currentTimeMillis() - 60_000;
        List<IndexAction> actions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            IndexAction.Upsert u = upsert("e-" + i, i, "text " + i);
            actions.add(
                    IndexAction.upsert(u.id())
                            .entity(u.entity())
                            .window(u.windowStart(), u.windowEnd())
                            .text(u.text())
                            .vector(u.vector())
                            .model(u.model())
                            .newestEventTime(minuteAgo)
                            .build());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(actions, TypeInformation.of(IndexAction.class))
                .sinkTo(OpenSearchSink.builder().connection(connection(index)).index(spec).build());
        JobID job = env.execute("freshness").getJobID();

        HistogramStatistics freshness =
                METRICS.findMetrics(job, "freshnessMs").values().stream()
                        .map(m -> ((Histogram) m).getStatistics())
                        .findFirst()
                        .orElseThrow();
        assertThat(freshness.size()).isEqualTo(20);
        assertThat(freshness.getMin()).isGreaterThanOrEqualTo(60_000);
        assertThat(freshness.getMax())
                .as("a minute, plus the time the job took")
                .isLessThan(60_000 + 60_000);
    }

    /** The sink writer's {@code opensearchPendingBytes} gauge. */
    private static long pendingBytes(JobID job) {
        return METRICS.findMetrics(job, "opensearchPendingBytes").values().stream()
                .mapToLong(m -> ((Gauge<?>) m).getValue() instanceof Number n ? n.longValue() : 0)
                .max()
                .orElse(0);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static void awaitCount(
            OpenSearchTestIndex index, String name, long atLeast, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (count(index, name) >= atLeast) {
                    return;
                }
            } catch (Exception notYet) {
                // the index may not exist yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("fewer than " + atLeast + " documents after " + timeout);
    }

    /**
     * About 20 s of upserts if nothing held them back, each with a text of ~1 kB (the 64 kB bound
     * holds about 60); counts the checkpoints that complete and that are aborted.
     */
    private static final class SlowUpserts
            implements MapFunction<Long, IndexAction>, CheckpointListener {
        @Override
        public IndexAction map(Long i) throws Exception {
            Thread.sleep(10);
            return upsert("e-" + i % 50, i.intValue(), "text " + i + " " + "x".repeat(1_000));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            COMPLETED.incrementAndGet();
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) {
            ABORTED.incrementAndGet();
        }
    }
}
