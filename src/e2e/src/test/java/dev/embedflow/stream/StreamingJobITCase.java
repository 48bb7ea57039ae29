package dev.embedflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.bench.CountingEmbedder;
import dev.embedflow.deadletter.DeadLetterKafkaSerializer;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.devserver.SampleBusiness;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.MiniLmTokenCounter;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.search.SearchHit;
import dev.embedflow.search.SearchQuery;
import dev.embedflow.search.SemanticSearch;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The streaming job end to end on a Flink MiniCluster with the real Kafka broker, the real
 * OpenSearch with k-NN and the real model behind the embedding server (which counts the texts it
 * embeds).
 */
@ExtendWith({KafkaExtension.class, OpenSearchExtension.class})
class StreamingJobITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");
    private static final long WINDOW = Duration.ofDays(1).toMillis();

    private static final MiniLmTokenCounter TOKENS = new MiniLmTokenCounter();
    private static LocalEmbeddingModel model;
    private static CountingEmbedder counting;
    private static EmbeddingServer server;

    @BeforeAll
    static void startEmbeddingServer() throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        counting = new CountingEmbedder(model);
        server = EmbeddingServer.builder(counting).port(0).build().start();
    }

    @AfterAll
    static void stopEmbeddingServer() {
        server.close();
        model.close();
    }

    @Test
    void eventsBecomeSearchableDocumentsAndMalformedRecordsBecomeDeadLetters(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        String topic = KafkaExtension.createTopic(kafka, "events", 2);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        List<String> good = new SampleBusiness(42, START).events(300, 15);
        List<byte[]> bad = malformedRecords(30);
        List<byte[]> all = new ArrayList<>();
        good.forEach(e -> all.add(e.getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < bad.size(); i++) {
            all.add(10 * i + 5, bad.get(i)); // one bad record in every ten
        }
        produce(kafka, topic, all);

        Configuration config = config(kafka, node, index, topic, deadLetters);
        config.setString("window.mode", "TUMBLING");
        config.setString("window.size", "1 d");
        runToEnd(config);

        Set<String> expectedIds = expectedDailyDocumentIds(good);
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            Map<String, JsonNode> indexed =
                    StreamingJobFixtures.indexedDocuments(connection, index.name());
            Set<String> documentIds = new HashSet<>();
            indexed.forEach(
                    (id, source) -> {
                        // Days too long for the model are split into chunks <id>#0, #1, ...
                        documentIds.add(StreamingJobFixtures.documentId(id));
                        assertThat(source.get("embedding").size()).isEqualTo(384);
                        assertThat(source.get("model").asText()).isEqualTo("all-MiniLM-L6-v2");
                        assertThat(TOKENS.count(source.get("text").asText()))
                                .isLessThanOrEqualTo(256);
                    });
            assertThat(documentIds).isEqualTo(expectedIds);
            assertThat(indexed.size())
                    .as("some customer-days are long enough to be chunked")
                    .isGreaterThan(expectedIds.size());

            float[] query =
                    model.embed("my parcel still has not arrived and the tracking shows no update")
                            .vector();
            List<SearchHit> hits =
                    new SemanticSearch(connection)
                            .search(index.name(), SearchQuery.builder().vector(query).k(3).build());
            assertThat(hits).isNotEmpty();
            assertThat(indexed.get(hits.get(0).id()).get("text").asText())
                    .as(
                            "the best match for a late-parcel question is a document with such a ticket")
                    .contains("the parcel has not arrived");
        }

        List<ConsumerRecord<byte[], byte[]>> dead =
                StreamingJobFixtures.consumeAll(kafka, deadLetters, bad.size());
        assertThat(dead).hasSize(bad.size());
        Set<String> deadValues = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : dead) {
            assertThat(StreamingJobFixtures.header(record, DeadLetterKafkaSerializer.STAGE))
                    .isEqualTo("SOURCE");
            assertThat(StreamingJobFixtures.header(record, DeadLetterKafkaSerializer.REASON))
                    .isNotBlank();
            assertThat(StreamingJobFixtures.header(record, DeadLetterKafkaSerializer.ORIGIN_TOPIC))
                    .isEqualTo(topic);
            assertThat(StreamingJobFixtures.header(record, DeadLetterKafkaSerializer.ORIGIN_OFFSET))
                    .matches("\\d+");
            deadValues.add(new String(record.value(), StandardCharsets.ISO_8859_1));
        }
        Set<String> badValues = new HashSet<>();
        bad.forEach(b -> badValues.add(new String(b, StandardCharsets.ISO_8859_1)));
        assertThat(deadValues).isEqualTo(badValues);
    }

    @Test
    void aNewJobOverEventsAlreadyIndexedEmbedsNothingAgain(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        String topic = KafkaExtension.createTopic(kafka, "events", 2);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        List<String> events = new SampleBusiness(7, START).events(60, 10);
        List<byte[]> once = new ArrayList<>();
        events.forEach(e -> once.add(e.getBytes(StandardCharsets.UTF_8)));
        produce(kafka, topic, once);
        Configuration config = config(kafka, node, index, topic, deadLetters);
        config.setString("window.mode", "TUMBLING");
        config.setString("window.size", "1 d");
        long before = counting.texts();
        runToEnd(config);
        long embedded = counting.texts() - before;
        long documents;
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            documents = StreamingJobFixtures.indexedDocuments(connection, index.name()).size();
        }
        // The start-up probe embeds one text, and every document (day or chunk of one) once.
        assertThat(embedded).isEqualTo(documents + 1);

        // A new job (no state of its own: a lost savepoint, a redeploy) from the earliest offset.
        Configuration again = config(kafka, node, index, topic, deadLetters);
        again.setString("window.mode", "TUMBLING");
        again.setString("window.size", "1 d");
        long beforeAgain = counting.texts();
        runToEnd(again);

        // Not even a probe (the index records the model and its dimension): every day it renders
        // again is already indexed.
        assertThat(counting.texts() - beforeAgain).isZero();
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            assertThat(StreamingJobFixtures.indexedDocuments(connection, index.name()))
                    .hasSize((int) documents);
        }
    }

    @Test
    void lateEventMergesSessionsIntoOneDocumentAndATombstoneDeletesItsEntity(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        String topic = KafkaExtension.createTopic(kafka, "events", 1);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        List<byte[]> records = new ArrayList<>();
        records.add(cloudEvent("customer-c", t0, "order.placed"));
        records.add(cloudEvent("customer-a", t0, "cart.created"));
        records.add(cloudEvent("customer-a", t0.plusSeconds(5 * 60), "cart.updated"));
        records.add(cloudEvent("customer-a", t0.plusSeconds(40 * 60), "cart.updated"));
        // Moves the watermark past both of customer-a's sessions: they fire as two documents.
        records.add(cloudEvent("customer-b", t0.plusSeconds(3 * 3600), "order.placed"));
        // Late, within the allowed lateness: bridges the two sessions into one.
        records.add(cloudEvent("customer-a", t0.plusSeconds(22 * 60), "cart.abandoned"));
        records.add(null); // tombstone of customer-c (the key below)
        produceKeyed(kafka, topic, records);

        Configuration config = config(kafka, node, index, topic, deadLetters);
        config.setString("window.mode", "SESSION");
        config.setString("window.session-gap", "20 min");
        config.setString("window.allowed-lateness", "1 d");
        runToEnd(config);

        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            Map<String, JsonNode> indexed =
                    StreamingJobFixtures.indexedDocuments(connection, index.name());
            assertThat(indexed)
                    .containsOnlyKeys(
                            "customer-a@2026-03-01T10:00:00Z", "customer-b@2026-03-01T13:00:00Z");
            assertThat(indexed.get("customer-a@2026-03-01T10:00:00Z").get("text").asText())
                    .startsWith(
                            "customer-a: 4 events from 2026-03-01T10:00:00Z to 2026-03-01T11:00:00Z")
                    .contains("cart.abandoned");
        }
    }

    private static byte[] cloudEvent(String subject, Instant time, String type) {
        return StreamingJobFixtures.cloudEvent(subject, time, type, type)
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Values in order on one partition, keyed by subject; a null value is customer-c's tombstone.
     */
    private static void produceKeyed(KafkaBroker kafka, String topic, List<byte[]> values) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (byte[] value : values) {
            String key =
                    value == null
                            ? "customer-c"
                            : new String(value, StandardCharsets.UTF_8)
                                    .replaceAll(".*\"subject\":\"([^\"]+)\".*", "$1");
            records.add(
                    new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), value));
        }
        StreamingJobFixtures.produce(kafka, topic, records);
    }

    private static void runToEnd(Configuration config) throws Exception {
        StreamingJobFixtures.runToEnd(config, 2);
    }

    private static Configuration config(
            KafkaBroker kafka,
            OpenSearchNode node,
            OpenSearchTestIndex index,
            String topic,
            String deadLetters) {
        Configuration config =
                StreamingJobFixtures.jobConfig(kafka, node, index, server, topic, deadLetters);
        config.setString("source.bounded", "true");
        config.setString("source.max-record-size", "10kb");
        config.setString("window.allowed-lateness", "0 s");
        return config;
    }

    /** Ids of the daily documents the good events should give: entity@day. */
    private static Set<String> expectedDailyDocumentIds(List<String> good) {
        EventParser parser = new EventParser(EventFormat.cloudEvents());
        Set<String> ids = new HashSet<>();
        for (String line : good) {
            Event event =
                    parser.parse(
                                    new ConsumerRecord<>(
                                            "t", 0, 0, null, line.getBytes(StandardCharsets.UTF_8)))
                            .getEvent();
            long windowStart = event.getEventTime() - Math.floorMod(event.getEventTime(), WINDOW);
            ids.add(event.getEntity() + "@" + Instant.ofEpochMilli(windowStart));
        }
        return ids;
    }

    /** Not JSON, no subject, bad time, invalid UTF-8, too large: in turn. */
    private static List<byte[]> malformedRecords(int count) {
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] record =
                    switch (i % 5) {
                        case 0 ->
                                ("{\"specversion\":\"1.0\",\"subject\": broken " + i)
                                        .getBytes(StandardCharsets.UTF_8);
                        case 1 ->
                                ("{\"type\":\"order.placed\",\"time\":\"2026-03-01T10:00:00Z\",\"n\":"
                                                + i
                                                + "}")
                                        .getBytes(StandardCharsets.UTF_8);
                        case 2 ->
                                ("{\"subject\":\"customer-1\",\"time\":\"soon\",\"n\":" + i + "}")
                                        .getBytes(StandardCharsets.UTF_8);
                        case 3 -> new byte[] {'{', (byte) 0xC3, (byte) 0x28, (byte) i};
                        default ->
                                ("{\"subject\":\"customer-2\",\"pad\":\""
                                                + "x".repeat(20_000)
                                                + i
                                                + "\"}")
                                        .getBytes(StandardCharsets.UTF_8);
                    };
            records.add(record);
        }
        return records;
    }

    /** Keyed round-robin over seven keys, so both partitions get records. */
    private static void produce(KafkaBroker kafka, String topic, List<byte[]> values) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            byte[] key = ("k" + (i % 7)).getBytes(StandardCharsets.UTF_8);
            records.add(new ProducerRecord<>(topic, key, values.get(i)));
        }
        StreamingJobFixtures.produce(kafka, topic, records);
    }
}
