package dev.embedflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.devserver.SampleBusiness;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.source.Event;
import dev.embedflow.source.EventFormat;
import dev.embedflow.source.EventParser;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestFlinkCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The TaskManager running the streaming job dies mid-stream; the job restarts from its last
 * checkpoint and the index ends with exactly the expected documents and content.
 */
@ExtendWith({KafkaExtension.class, OpenSearchExtension.class})
class StreamingJobRecoveryITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");
    private static final long HOUR = Duration.ofHours(1).toMillis();

    private static LocalEmbeddingModel model;
    private static EmbeddingServer server;

    @BeforeAll
    static void startEmbeddingServer() throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        server = EmbeddingServer.builder(model).port(0).build().start();
    }

    @AfterAll
    static void stopEmbeddingServer() {
        server.close();
        model.close();
    }

    @Test
    void taskManagerKilledMidStreamLeavesExactlyTheExpectedDocuments(
            KafkaBroker kafka,
            OpenSearchNode node,
            OpenSearchTestIndex index,
            @InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        String topic = KafkaExtension.createTopic(kafka, "events", 2);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        List<String> events = new SampleBusiness(99, START).events(400, 12);
        List<String> firstHalf = events.subList(0, 200);
        List<String> secondHalf = events.subList(200, events.size());
        StreamingJobFixtures.produceValues(kafka, topic, firstHalf);

        Configuration config =
                StreamingJobFixtures.jobConfig(kafka, node, index, server, topic, deadLetters);
        config.setString("source.idleness", "1 s");
        config.setString("window.mode", "TUMBLING");
        config.setString("window.size", "1 h");
        config.setString("window.allowed-lateness", "0 s");
        config.setString("window.id-mode", "HISTORY");

        StreamingJob.Prepared prepared = StreamingJob.prepare(config);
        Configuration flink = new Configuration();
        flink.setString("restart-strategy.type", "fixed-delay");
        flink.setString("restart-strategy.fixed-delay.attempts", "10");
        flink.setString("restart-strategy.fixed-delay.delay", "1 s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        StreamingJob.build(env, config, prepared);
        JobClient job = env.executeAsync("streaming-recovery-it");
        try {
            awaitCount(node, index.name(), n -> n > 0, Duration.ofSeconds(60));
            Thread.sleep(1500); // at least one more checkpoint completes

            miniCluster.terminateTaskManager(0).get();
            miniCluster.startTaskManager();
            StreamingJobFixtures.produceValues(kafka, topic, secondHalf);
            // Far-future events on both partitions move the watermark past every real window.
            StreamingJobFixtures.produceWatermarkBump(kafka, topic, 2);

            Map<String, String> expected = expectedDocuments(events);
            awaitCount(node, index.name(), n -> n >= expected.size(), Duration.ofSeconds(120));
            Thread.sleep(2000); // anything extra or stale would arrive now

            Map<String, String> indexed = indexedTexts(node, index.name());
            java.util.Set<String> documents = new java.util.HashSet<>();
            indexed.forEach(
                    (id, text) -> {
                        // a window too long for the model is split into chunks <id>#0, #1, ...
                        String documentId = id.replaceFirst("#\\d+$", "");
                        documents.add(documentId);
                        assertThat(text)
                                .as("document %s lists all its events, once", id)
                                .startsWith(expected.get(documentId));
                    });
            assertThat(documents).isEqualTo(expected.keySet());
        } finally {
            job.cancel().get();
        }
    }

    /** Expected ids (entity@hour) and the heading each document's text starts with. */
    private static Map<String, String> expectedDocuments(List<String> events) {
        EventParser parser = new EventParser(EventFormat.cloudEvents());
        Map<String, Integer> counts = new HashMap<>();
        for (String line : events) {
            Event event =
                    parser.parse(
                                    new ConsumerRecord<>(
                                            "t", 0, 0, null, line.getBytes(StandardCharsets.UTF_8)))
                            .getEvent();
            long start = event.getEventTime() - Math.floorMod(event.getEventTime(), HOUR);
            counts.merge(event.getEntity() + "@" + Instant.ofEpochMilli(start), 1, Integer::sum);
        }
        Map<String, String> headings = new HashMap<>();
        counts.forEach(
                (id, count) -> {
                    String entity = id.substring(0, id.indexOf('@'));
                    headings.put(
                            id,
                            entity
                                    + ": "
                                    + count
                                    + " events from "
                                    + id.substring(id.indexOf('@') + 1));
                });
        return headings;
    }

    private static Map<String, String> indexedTexts(OpenSearchNode node, String index)
            throws Exception {
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            Map<String, String> texts = new HashMap<>();
            StreamingJobFixtures.indexedDocuments(connection, index)
                    .forEach((id, source) -> texts.put(id, source.get("text").asText()));
            return texts;
        }
    }

    private static void awaitCount(
            OpenSearchNode node,
            String index,
            java.util.function.LongPredicate done,
            Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            while (true) {
                long count = StreamingJobFixtures.count(connection, index);
                if (done.test(count)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "index " + index + " stuck at " + count + " documents");
                }
                Thread.sleep(250);
            }
        }
    }
}
