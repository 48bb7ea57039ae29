package dev.embedflow.bench;

import dev.embedflow.devserver.EventPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Row 1c: Kafka's raw produce and consume rates for the benchmark's events, with the settings of a
 * tuned client: a producer with acks=all, 64 KiB batches, 10 ms linger and lz4 compression, keyed
 * by entity like {@code embedflow produce}; a consumer reading the topic from its start with the
 * defaults a Flink Kafka source uses for fetching. The topic has one partition, like the streaming
 * job's topics in the benchmark.
 */
final class KafkaBaseline {

    static final String PRODUCER_SETTINGS = "acks=all, batch 64 KiB, linger 10 ms, lz4";

    /** Seconds to produce and to consume. */
    record Result(int events, double produceSeconds, double consumeSeconds) {}

    private final String bootstrapServers;

    KafkaBaseline(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Creates a topic with one partition (the broker's replication of one). */
    static void createTopic(String bootstrapServers, String topic) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }

    Result run(String topic, List<String> events) throws Exception {
        createTopic(bootstrapServers, topic);
        List<byte[]> keys = new ArrayList<>(events.size());
        List<byte[]> values = new ArrayList<>(events.size());
        for (String event : events) {
            keys.add(
                    EventPublisher.keyOf(event, EventPublisher.DEFAULT_KEY_POINTER)
                            .map(k -> k.getBytes(StandardCharsets.UTF_8))
                            .orElse(null));
            values.add(event.getBytes(StandardCharsets.UTF_8));
        }
        double produce = produce(topic, keys, values);
        double consume = consume(topic, events.size());
        return new Result(events.size(), produce, consume);
    }

    private double produce(String topic, List<byte[]> keys, List<byte[]> values) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            // Warm-up: metadata and the connection, outside the timing.
            producer.partitionsFor(topic);
            long start = System.nanoTime();
            List<Future<RecordMetadata>> acks = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, keys.get(i), values.get(i))));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private double consume(String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            consumer.position(partition); // the metadata and the offset lookup, outside the timing
            long start = System.nanoTime();
            long deadline = start + Duration.ofMinutes(2).toNanos();
            int read = 0;
            while (read < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Read " + read + " of " + expected + " events from " + topic);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                read += records.count();
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
