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
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink rides out an OpenSearch outage: it backpressures, retries, and loses nothing. */
@ExtendWith(OpenSearchExtension.class)
class OpenSearchSinkOutageITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static final int DOCUMENTS = 2_000;

    @Test
    void openSearchStoppedForThirtySecondsMidRunLosesNothing(
            OpenSearchTestIndex index, OpenSearchNode node) throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        OpenSearchSink sink =
                OpenSearchSink.builder()
                        .connection(connection(index))
                        .index(spec)
                        .bulkMaxActions(50)
                        .maxBufferedActions(200)
                        .bulkInterval(Duration.ofMillis(200))
                        .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(1_000);
        env.fromSequence(0, DOCUMENTS - 1)
                .map(new SlowUpserts())
                .returns(TypeInformation.of(IndexAction.class))
                .sinkTo(sink);
        JobClient job = env.executeAsync("outage");

        awaitCount(index, spec.indexName(), 100, Duration.ofSeconds(30));
        node.stop();
        Thread.sleep(30_000);
        assertThat(job.getJobStatus().get().isTerminalState())
                .as("the job waits for OpenSearch instead of finishing or failing")
                .isFalse();
        node.start();
        job.getJobExecutionResult().get(90, TimeUnit.SECONDS);

        assertThat(count(index, spec.indexName())).isEqualTo(DOCUMENTS);
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

    /** About 20 s of upserts if nothing held them back. */
    private static final class SlowUpserts implements MapFunction<Long, IndexAction> {
        @Override
        public IndexAction map(Long i) throws Exception {
            Thread.sleep(10);
            return upsert("e-" + i % 50, i.intValue(), "text " + i);
        }
    }
}
