package dev.embedflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.embedding.local.LocalEmbeddingModel;
import dev.embedflow.embedding.server.EmbeddingServer;
import dev.embedflow.local.KafkaBroker;
import dev.embedflow.local.OpenSearchNode;
import dev.embedflow.local.SampleBusiness;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.source.Event;
import dev.embedflow.source.EventFormat;
import dev.embedflow.source.EventParser;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opensearch.client.opensearch.core.search.Hit;

/**
 * The TaskManager running the streaming job dies mid-stream; the job restarts from its last
 * checkpoint and the index ends with exactly the expected documents and content.
 */
@ExtendWith({KafkaExtension.class, OpenSearchExtension.class})
class StreamingJobRecoveryITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

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
        produce(kafka, topic, firstHalf);

        Configuration config = new Configuration();
        config.setString("source.bootstrap-servers", kafka.bootstrapServers());
        config.setString("source.topics", topic);
        config.setString("source.group-id", "it-" + UUID.randomUUID());
        config.setString("source.starting-offsets", "EARLIEST");
        config.setString("source.idleness", "1 s");
        config.setString("window.mode", "TUMBLING");
        config.setString("window.size", "1 h");
        config.setString("window.allowed-lateness", "0 s");
        config.setString("window.id-mode", "HISTORY");
        config.setString("embedding.provider", "openai");
        config.setString("embedding.base-url", server.baseUri().toString());
        config.setString("embedding.model", LocalEmbeddingModel.MODEL_ID);
        config.setString("opensearch.hosts", node.httpUri().toString());
        config.setString("opensearch.index.base-name", index.name() + "-base");
        config.setString("opensearch.index.alias", index.name());
        config.setString("opensearch.index.replicas", "0");
        config.setString("dead-letter.topic", deadLetters);

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
            produce(kafka, topic, secondHalf);
            // Far-future events on both partitions move the watermark past every real window.
            produceWatermarkBump(kafka, topic);

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
        try (OpenSearchConnection connection = OpenSearchConnection.open(connectionConfig(node))) {
            connection.client().indices().refresh(r -> r.index(index));
            Map<String, String> texts = new HashMap<>();
            for (Hit<Map> hit :
                    connection
                            .client()
                            .search(s -> s.index(index).size(2000), Map.class)
                            .hits()
                            .hits()) {
                texts.put(hit.id(), String.valueOf(hit.source().get("text")));
            }
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
        try (OpenSearchConnection connection = OpenSearchConnection.open(connectionConfig(node))) {
            while (true) {
                connection.client().indices().refresh(r -> r.index(index));
                long count = connection.client().count(c -> c.index(index)).count();
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

    private static OpenSearchConnectionConfig connectionConfig(OpenSearchNode node) {
        Configuration config = new Configuration();
        config.setString("opensearch.hosts", node.httpUri().toString());
        return OpenSearchConnectionConfig.fromConfiguration(config);
    }

    private static void produce(KafkaBroker kafka, String topic, List<String> values) {
        try (KafkaProducer<String, String> producer = producer(kafka)) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, null, value));
            }
            producer.flush();
        }
    }

    private static void produceWatermarkBump(KafkaBroker kafka, String topic) {
        String future =
                "{\"specversion\":\"1.0\",\"id\":\"bump-%d\",\"type\":\"clock.tick\",\"subject\":\"clock\","
                        + "\"time\":\"2027-01-01T00:00:00Z\",\"data\":{}}";
        try (KafkaProducer<String, String> producer = producer(kafka)) {
            for (int partition = 0; partition < 2; partition++) {
                producer.send(
                        new ProducerRecord<>(
                                topic, partition, null, String.format(future, partition)));
            }
            producer.flush();
        }
    }

    private static KafkaProducer<String, String> producer(KafkaBroker kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }
}
