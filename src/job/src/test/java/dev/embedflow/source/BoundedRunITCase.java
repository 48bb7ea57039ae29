package dev.embedflow.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.TestFlinkCluster;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bounded run's stopping offsets and their commit, against the real broker: where a run stops
 * (the last stable offset under read_committed), the commit that moves the group forward only, and
 * two runs of the job's source, the second from COMMITTED offsets, reading each record once.
 */
@ExtendWith(KafkaExtension.class)
class BoundedRunITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    @Test
    void stopsAtTheLastStableOffsetAndCommitsOnlyForward(KafkaBroker kafka) throws Exception {
        String topic = KafkaExtension.createTopic(kafka, "bounded", 2);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        try (KafkaProducer<String, String> plain = KafkaExtension.stringProducer(kafka, false);
                KafkaProducer<String, String> open = KafkaExtension.stringProducer(kafka, true)) {
            for (int i = 0; i < 3; i++) {
                plain.send(new ProducerRecord<>(topic, 0, "k", event("customer-" + i))).get();
            }
            plain.send(new ProducerRecord<>(topic, 1, "k", event("customer-9"))).get();
            // A transaction left open on partition 0: a read_committed run must not wait for it.
            open.initTransactions();
            open.beginTransaction();
            open.send(new ProducerRecord<>(topic, 0, "k", event("customer-open"))).get();
            open.flush();

            Configuration config = config(kafka, topic, "it-" + UUID.randomUUID());
            BoundedRun run = BoundedRun.resolve(config);
            assertThat(run.stoppingOffsets()).isEqualTo(Map.of(p0, 3L, p1, 1L));

            Configuration uncommitted = config.clone();
            uncommitted.setString("source.kafka.isolation.level", "read_uncommitted");
            assertThat(BoundedRun.resolve(uncommitted).stoppingOffsets())
                    .as("read_uncommitted sees the open transaction's record")
                    .isEqualTo(Map.of(p0, 4L, p1, 1L));
            open.abortTransaction();

            assertThat(run.commit(config)).isEqualTo(Map.of(p0, 3L, p1, 1L));
            assertThat(committed(kafka, config)).isEqualTo(Map.of(p0, 3L, p1, 1L));

            // The group has moved on (another run read further): the commit leaves it there.
            alter(kafka, config, Map.of(p0, 5L));
            assertThat(run.commit(config)).isEmpty();
            assertThat(committed(kafka, config)).isEqualTo(Map.of(p0, 5L, p1, 1L));

            Configuration off = config(kafka, topic, "it-" + UUID.randomUUID());
            off.setString("source.kafka.commit.offsets.on.checkpoint", "false");
            assertThat(run.commit(off)).isEmpty();
            assertThat(committed(kafka, off)).as("commits switched off").isEmpty();
        }
    }

    @Test
    void aTopicThatDoesNotExistIsNamed(KafkaBroker kafka) {
        Configuration config = config(kafka, "no-such-topic-" + UUID.randomUUID(), "it");
        assertThatThrownBy(() -> BoundedRun.resolve(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot find where the bounded run stops (source.bounded)")
                .hasMessageContaining("no topic " + config.get(SourceOptions.TOPICS).get(0));
    }

    /**
     * Without checkpoints the Kafka connector commits nothing: the second run starts where the
     * first stopped only because the first committed its stopping offsets once it had finished.
     */
    @Test
    void aSecondRunFromCommittedOffsetsReadsOnlyWhatCameAfterTheFirst(KafkaBroker kafka)
            throws Exception {
        String topic = KafkaExtension.createTopic(kafka, "runs", 2);
        Configuration config = config(kafka, topic, "it-" + UUID.randomUUID());
        List<String> first = IntStream.range(0, 20).mapToObj(i -> "first-" + i).toList();
        List<String> second = IntStream.range(0, 7).mapToObj(i -> "second-" + i).toList();

        produce(kafka, topic, first);
        assertThat(runToEnd(config)).containsExactlyInAnyOrderElementsOf(first);
        produce(kafka, topic, second);
        assertThat(runToEnd(config)).containsExactlyInAnyOrderElementsOf(second);
        assertThat(runToEnd(config)).as("nothing new").isEmpty();
    }

    /** One bounded run of the job's source: the entities it read, then its commit. */
    private static List<String> runToEnd(Configuration config) throws Exception {
        BoundedRun run = BoundedRun.resolve(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<String> entities = new ArrayList<>();
        env.fromSource(
                        KafkaEventSource.fromConfiguration(config, Optional.of(run)),
                        WatermarkStrategy.noWatermarks(),
                        "kafka events")
                .map(record -> record.isEvent() ? record.getEvent().getEntity() : "dead letter")
                .executeAndCollect()
                .forEachRemaining(entities::add);
        run.commit(config);
        return entities;
    }

    private static Configuration config(KafkaBroker kafka, String topic, String group) {
        Configuration config = new Configuration();
        config.setString("source.bootstrap-servers", kafka.bootstrapServers());
        config.setString("source.topics", topic);
        config.setString("source.group-id", group);
        config.setString("source.starting-offsets", "COMMITTED");
        config.setString("source.bounded", "true");
        return config;
    }

    private static void produce(KafkaBroker kafka, String topic, List<String> entities)
            throws Exception {
        try (KafkaProducer<String, String> producer = KafkaExtension.stringProducer(kafka, false)) {
            for (String entity : entities) {
                producer.send(new ProducerRecord<>(topic, entity, event(entity))).get();
            }
        }
    }

    private static String event(String entity) {
        return "{\"specversion\":\"1.0\",\"id\":\""
                + UUID.randomUUID()
                + "\",\"source\":\"it\",\"type\":\"note\",\"subject\":\""
                + entity
                + "\",\"time\":\""
                + Instant.parse("2026-03-01T08:00:00Z")
                + "\",\"data\":{\"note\":\"n\"}}";
    }

    private static Admin admin(KafkaBroker kafka) {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static Map<TopicPartition, Long> committed(KafkaBroker kafka, Configuration config)
            throws Exception {
        try (Admin admin = admin(kafka)) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(config.get(SourceOptions.GROUP_ID))
                            .partitionsToOffsetAndMetadata()
                            .get(60, TimeUnit.SECONDS);
            Map<TopicPartition, Long> plain = new HashMap<>();
            offsets.forEach((partition, offset) -> plain.put(partition, offset.offset()));
            return plain;
        }
    }

    private static void alter(
            KafkaBroker kafka, Configuration config, Map<TopicPartition, Long> offsets)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> target = new HashMap<>();
        offsets.forEach(
                (partition, offset) -> target.put(partition, new OffsetAndMetadata(offset)));
        try (Admin admin = admin(kafka)) {
            admin.alterConsumerGroupOffsets(config.get(SourceOptions.GROUP_ID), target)
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
    }
}
