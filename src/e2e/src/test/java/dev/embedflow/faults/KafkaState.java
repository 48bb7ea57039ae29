package dev.embedflow.faults;

import dev.embedflow.deadletter.DeadLetterKafkaSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the fault scenarios ask Kafka: sending the inputs (and where each landed), the consumer
 * group's committed offsets against the topic's end offsets, and the dead-letter topic's records.
 */
final class KafkaState implements AutoCloseable {

    /** Where a record landed. */
    record Coordinates(int partition, long offset) {}

    /** A dead letter as read back: its origin coordinates, reason, stage and value. */
    record DeadLetterRecord(
            String originTopic, Coordinates origin, String stage, String reason, byte[] value) {}

    private final String bootstrapServers;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;

    KafkaState(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.admin = Admin.create(props);
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        this.producer = new KafkaProducer<>(producerProps);
    }

    /** Sends {@code inputs} to {@code topic} and returns where each one landed, in order. */
    List<Coordinates> send(String topic, List<FaultEvents.Input> inputs) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(inputs.size());
        for (FaultEvents.Input input : inputs) {
            sent.add(producer.send(new ProducerRecord<>(topic, input.key(), input.value())));
        }
        producer.flush();
        List<Coordinates> coordinates = new ArrayList<>(inputs.size());
        try {
            for (Future<RecordMetadata> future : sent) {
                RecordMetadata metadata = future.get();
                coordinates.add(new Coordinates(metadata.partition(), metadata.offset()));
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not send to " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted sending to " + topic, e);
        }
        return coordinates;
    }

    /** The group's committed offset of every partition of {@code topic} (0 where none). */
    Map<Integer, Long> committed(String group, String topic) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
                get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        Map<Integer, Long> result = new HashMap<>();
        for (TopicPartition partition : partitions(topic)) {
            OffsetAndMetadata offset = offsets.get(partition);
            result.put(partition.partition(), offset == null ? 0L : offset.offset());
        }
        return result;
    }

    /** The sum of the group's committed offsets over {@code topic}'s partitions. */
    long committedTotal(String group, String topic) {
        return committed(group, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The end offset of every partition of {@code topic}. */
    Map<Integer, Long> endOffsets(String topic) {
        Map<TopicPartition, OffsetSpec> request =
                partitions(topic).stream()
                        .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        Map<Integer, Long> result = new HashMap<>();
        get(admin.listOffsets(request).all())
                .forEach((partition, info) -> result.put(partition.partition(), info.offset()));
        return result;
    }

    /** Every record of the dead-letter {@code topic}, from its first offset to its end. */
    List<DeadLetterRecord> deadLetters(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        List<DeadLetterRecord> records = new ArrayList<>();
        List<TopicPartition> partitions = partitions(topic);
        Map<Integer, Long> ends = endOffsets(topic);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream()
                    .anyMatch(p -> consumer.position(p) < ends.get(p.partition()))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    String partition = header(record, DeadLetterKafkaSerializer.ORIGIN_PARTITION);
                    String offset = header(record, DeadLetterKafkaSerializer.ORIGIN_OFFSET);
                    records.add(
                            new DeadLetterRecord(
                                    header(record, DeadLetterKafkaSerializer.ORIGIN_TOPIC),
                                    partition == null || offset == null
                                            ? null
                                            : new Coordinates(
                                                    Integer.parseInt(partition),
                                                    Long.parseLong(offset)),
                                    header(record, DeadLetterKafkaSerializer.STAGE),
                                    header(record, DeadLetterKafkaSerializer.REASON),
                                    record.value()));
                }
            }
        }
        return records;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(10));
    }

    private List<TopicPartition> partitions(String topic) {
        return get(admin.describeTopics(List.of(topic)).allTopicNames())
                .get(topic)
                .partitions()
                .stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka admin call failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted calling Kafka", e);
        }
    }
}
