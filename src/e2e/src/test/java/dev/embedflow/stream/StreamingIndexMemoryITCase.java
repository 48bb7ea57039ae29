package dev.embedflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.deadletter.DeadLetterKafkaSerializer;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import dev.embedflow.testing.TestFlinkCluster;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The index, not the job's state, remembers what was indexed: the streaming job on a MiniCluster
 * with the real Kafka broker and OpenSearch, and a stand-in embedding service over real HTTP (fake
 * vectors derived from the text; it can refuse a text once, as an overloaded service would).
 */
@ExtendWith({KafkaExtension.class, OpenSearchExtension.class})
class StreamingIndexMemoryITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static final int DIMENSIONS = 8;
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final List<String> embedded = new ArrayList<>();
    private final AtomicBoolean refuseOnce = new AtomicBoolean();
    private String refuseMarker = "\u0000";
    private StubHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Answers with fake vectors; refuses (503) the first request carrying the marker. */
    private void startEmbeddings() throws Exception {
        server =
                StubHttpServer.start(
                        request -> {
                            List<String> texts = EmbeddingStubs.texts(request.body().get("input"));
                            if (texts.stream().anyMatch(t -> t.contains(refuseMarker))
                                    && refuseOnce.compareAndSet(true, false)) {
                                return Reply.json(
                                        503, "{\"error\":{\"message\":\"overloaded, try later\"}}");
                            }
                            synchronized (embedded) {
                                embedded.addAll(texts);
                            }
                            return Reply.json(
                                    200,
                                    EmbeddingStubs.openAiResponse(texts, "stand-in", DIMENSIONS));
                        });
    }

    private Configuration config(
            KafkaBroker kafka,
            OpenSearchNode node,
            OpenSearchTestIndex index,
            String topic,
            String deadLetters) {
        Configuration config =
                StreamingJobFixtures.jobConfig(
                        kafka, node, index, server.baseUri(), "stand-in", topic, deadLetters);
        config.setString("source.bounded", "true");
        config.setString("embedding.batch.max-texts", "1");
        config.setString("embedding.retry.max-attempts", "1");
        config.setString("window.mode", "NONE");
        config.setString("window.id-mode", "LATEST");
        config.setString("window.allowed-lateness", "0 s");
        return config;
    }

    private static void runToEnd(Configuration config) throws Exception {
        StreamingJobFixtures.runToEnd(config, 1);
    }

    private static ProducerRecord<byte[], byte[]> event(
            String topic, String subject, Instant time, String type, String note) {
        String json = StreamingJobFixtures.cloudEvent(subject, time, type, note);
        return new ProducerRecord<>(
                topic,
                subject.getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, JsonNode> indexed(OpenSearchNode node, String index)
            throws Exception {
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            return StreamingJobFixtures.indexedDocuments(connection, index);
        }
    }

    private List<String> embeddedContaining(String fragment) {
        synchronized (embedded) {
            return embedded.stream().filter(t -> t.contains(fragment)).toList();
        }
    }

    @Test
    void aDocumentDeadLetteredOnItsWayIsIndexedWhenItsEventsAreReplayed(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        startEmbeddings();
        refuseMarker = "customer-x";
        refuseOnce.set(true);
        String topic = KafkaExtension.createTopic(kafka, "events", 1);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        ProducerRecord<byte[], byte[]> x = event(topic, "customer-x", T0, "order.placed", "one");
        StreamingJobFixtures.produce(
                kafka,
                topic,
                List.of(
                        x,
                        event(topic, "customer-y", T0, "order.placed", "two"),
                        // The same event again (a redrive, or a producer's replay): the job's
                        // state says it was emitted already; only the index knows it is missing.
                        new ProducerRecord<>(topic, x.key(), x.value())));

        runToEnd(config(kafka, node, index, topic, deadLetters));

        assertThat(indexed(node, index.name())).containsOnlyKeys("customer-x", "customer-y");
        assertThat(embeddedContaining("customer-x")).hasSize(1);
        List<ConsumerRecord<byte[], byte[]>> dead =
                StreamingJobFixtures.consumeAll(kafka, deadLetters, 1);
        assertThat(dead).hasSize(1);
        assertThat(StreamingJobFixtures.header(dead.get(0), DeadLetterKafkaSerializer.STAGE))
                .isEqualTo("EMBEDDING");
        assertThat(StreamingJobFixtures.header(dead.get(0), DeadLetterKafkaSerializer.REASON))
                .contains("503");
    }

    @Test
    void aFreshJobOverIndexedEventsEmbedsNothingAgain(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        startEmbeddings();
        String topic = KafkaExtension.createTopic(kafka, "events", 2);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(event(topic, "customer-" + i, T0.plusSeconds(i), "order.placed", "n" + i));
        }
        StreamingJobFixtures.produce(kafka, topic, events);

        runToEnd(config(kafka, node, index, topic, deadLetters));
        int afterFirst = embeddedContaining("customer-").size();
        // A new job (new state, as after a lost savepoint or a redeploy) from the earliest offset.
        runToEnd(config(kafka, node, index, topic, deadLetters));

        assertThat(afterFirst).isEqualTo(40);
        assertThat(embeddedContaining("customer-")).as("nothing embedded twice").hasSize(40);
        assertThat(indexed(node, index.name())).hasSize(40);
    }

    @Test
    void chunksOfALongerVersionAreDeletedEvenWhenTheStateHasForgottenThem(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        startEmbeddings();
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        String longTopic = KafkaExtension.createTopic(kafka, "long", 1);
        String note = "a long note about the parcel that went missing on its way ".repeat(12);
        StreamingJobFixtures.produce(
                kafka, longTopic, List.of(event(longTopic, "customer-z", T0, "ticket", note)));
        Configuration first = config(kafka, node, index, longTopic, deadLetters);
        first.setString("chunk.max-tokens", "64");
        first.setString("chunk.tokenizer", "ESTIMATE");
        runToEnd(first);
        assertThat(indexed(node, index.name()).keySet())
                .as("the long version is split")
                .hasSizeGreaterThan(2)
                .allMatch(id -> id.startsWith("customer-z#"));

        // Later, a job whose state knows nothing of the entity (its memory expired, or a new job)
        // writes a short version: one document, no chunks.
        String shortTopic = KafkaExtension.createTopic(kafka, "short", 1);
        StreamingJobFixtures.produce(
                kafka,
                shortTopic,
                List.of(event(shortTopic, "customer-z", T0.plusSeconds(60), "ticket", "solved")));
        Configuration second = config(kafka, node, index, shortTopic, deadLetters);
        second.setString("chunk.max-tokens", "64");
        second.setString("chunk.tokenizer", "ESTIMATE");
        runToEnd(second);

        Map<String, JsonNode> after = indexed(node, index.name());
        assertThat(after).containsOnlyKeys("customer-z");
        assertThat(after.get("customer-z").get("text").asText()).contains("solved");
    }
}
