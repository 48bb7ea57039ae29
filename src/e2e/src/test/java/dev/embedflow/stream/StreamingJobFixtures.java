package dev.embedflow.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.opensearch.client.opensearch.core.search.Hit;

/** What the streaming job's integration tests share: its settings and a look at the index. */
final class StreamingJobFixtures {

    private StreamingJobFixtures() {}

    /**
     * The job reading {@code topic} from the first offset, embedding through {@code server} with
     * the openai provider, writing to {@code index} (as its alias) and dead letters to {@code
     * deadLetters}.
     */
    static Configuration jobConfig(
            KafkaBroker kafka,
            OpenSearchNode node,
            OpenSearchTestIndex index,
            EmbeddingServer server,
            String topic,
            String deadLetters) {
        return jobConfig(
                kafka,
                node,
                index,
                server.baseUri(),
                LocalEmbeddingModel.MODEL_ID,
                topic,
                deadLetters);
    }

    /** As above, embedding through any OpenAI-compatible {@code embeddings} with {@code model}. */
    static Configuration jobConfig(
            KafkaBroker kafka,
            OpenSearchNode node,
            OpenSearchTestIndex index,
            java.net.URI embeddings,
            String model,
            String topic,
            String deadLetters) {
        Configuration config = new Configuration();
        config.setString("source.bootstrap-servers", kafka.bootstrapServers());
        config.setString("source.topics", topic);
        config.setString("source.group-id", "it-" + UUID.randomUUID());
        config.setString("source.starting-offsets", "EARLIEST");
        config.setString("embedding.provider", "openai");
        config.setString("embedding.base-url", embeddings.toString());
        config.setString("embedding.model", model);
        config.setString("opensearch.hosts", node.httpUri().toString());
        config.setString("opensearch.index.base-name", index.name() + "-base");
        config.setString("opensearch.index.alias", index.name());
        config.setString("opensearch.index.replicas", "0");
        config.setString("dead-letter.topic", deadLetters);
        return config;
    }

    static OpenSearchConnection connect(OpenSearchNode node) {
        Configuration config = new Configuration();
        config.setString("opensearch.hosts", node.httpUri().toString());
        return OpenSearchConnection.open(OpenSearchConnectionConfig.fromConfiguration(config));
    }

    /** Every document of the index (after a refresh): id to source. */
    static Map<String, JsonNode> indexedDocuments(OpenSearchConnection connection, String index)
            throws IOException {
        connection.client().indices().refresh(r -> r.index(index));
        Map<String, JsonNode> documents = new TreeMap<>();
        for (Hit<JsonNode> hit :
                connection
                        .client()
                        .search(s -> s.index(index).size(5000), JsonNode.class)
                        .hits()
                        .hits()) {
            documents.put(hit.id(), hit.source());
        }
        return documents;
    }

    /** A document id without its chunk suffix ({@code #n}). */
    static String documentId(String chunkId) {
        return chunkId.replaceFirst("#\\d+$", "");
    }

    /** Sends {@code values} to {@code topic} (keys as given, null for none; partition by key). */
    static void produce(
            KafkaBroker kafka, String topic, List<ProducerRecord<byte[], byte[]>> records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            records.forEach(producer::send);
            producer.flush();
        }
    }

    /** Sends {@code values} (UTF-8, no key: spread over the partitions) to {@code topic}. */
    static void produceValues(KafkaBroker kafka, String topic, List<String> values) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String value : values) {
            records.add(new ProducerRecord<>(topic, null, value.getBytes(StandardCharsets.UTF_8)));
        }
        produce(kafka, topic, records);
    }

    /** Far-future events on every one of {@code partitions} close every real window. */
    static void produceWatermarkBump(KafkaBroker kafka, String topic, int partitions) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            String value =
                    "{\"specversion\":\"1.0\",\"id\":\"bump-"
                            + partition
                            + "\",\"type\":\"clock.tick\",\"subject\":\"clock\","
                            + "\"time\":\"2027-01-01T00:00:00Z\",\"data\":{}}";
            records.add(
                    new ProducerRecord<>(
                            topic, partition, null, value.getBytes(StandardCharsets.UTF_8)));
        }
        produce(kafka, topic, records);
    }

    /** The documents of {@code index} after a refresh. */
    static long count(OpenSearchConnection connection, String index) throws IOException {
        connection.client().indices().refresh(r -> r.index(index));
        return connection.client().count(c -> c.index(index)).count();
    }

    /** Everything on {@code topic}, waiting up to 30 s for {@code expected} records. */
    static List<ConsumerRecord<byte[], byte[]>> consumeAll(
            KafkaBroker kafka, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    /** The value of header {@code name}, or null. */
    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A structured-mode CloudEvent (id {@code subject-epochSecond}) with {@code data.note}. */
    static String cloudEvent(String subject, Instant time, String type, String note) {
        return "{\"specversion\":\"1.0\",\"id\":\""
                + subject
                + "-"
                + time.getEpochSecond()
                + "\",\"type\":\""
                + type
                + "\",\"subject\":\""
                + subject
                + "\",\"time\":\""
                + time
                + "\",\"data\":{\"note\":\""
                + note
                + "\"}}";
    }

    /**
     * Runs the streaming job on the test's MiniCluster until its bounded source ends, with generic
     * types off: every type on the way and in state has a Flink serializer, or the job fails.
     */
    static void runToEnd(Configuration config, int parallelism) throws Exception {
        runToEnd(config, parallelism, true);
    }

    /**
     * As {@link #runToEnd(Configuration, int)}; without checkpoints the Kafka connector commits no
     * offsets, so the consumer group's offsets after the run are those the job commits itself once
     * its bounded run has finished.
     */
    static void runToEnd(Configuration config, int parallelism, boolean checkpoints)
            throws Exception {
        StreamingJob.Prepared prepared = StreamingJob.prepare(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(Configuration.fromMap(Map.of("pipeline.generic-types", "false")));
        env.setParallelism(parallelism);
        if (checkpoints) {
            env.enableCheckpointing(1000);
        }
        StreamingJob.build(env, config, prepared);
        StreamingJob.execute(env, config, prepared);
    }
}
