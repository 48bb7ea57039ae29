package dev.embedflow.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.TestDirs;
import dev.embedflow.testing.TestFlinkCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real KRaft broker that the tests and {@code embedflow local} use, with real clients. */
@ExtendWith(KafkaExtension.class)
class KafkaBrokerITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    @Test
    void consumerReadsBackEveryRecordAProducerSent(KafkaBroker broker) {
        String topic = KafkaExtension.createTopic(broker, "roundtrip", 3);
        List<String> sent = IntStream.range(0, 1000).mapToObj(i -> "event-" + i).toList();

        produce(broker, topic, sent, false);

        assertThat(consumeAll(broker, topic, sent.size(), false))
                .containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void readCommittedConsumerSeesOnlyCommittedTransactions(KafkaBroker broker) {
        String topic = KafkaExtension.createTopic(broker, "tx", 1);

        produce(broker, topic, List.of("committed-1", "committed-2"), true);
        try (KafkaProducer<String, String> aborted = KafkaExtension.stringProducer(broker, true)) {
            aborted.initTransactions();
            aborted.beginTransaction();
            aborted.send(new ProducerRecord<>(topic, "k", "aborted"));
            aborted.flush();
            aborted.abortTransaction();
        }
        produce(broker, topic, List.of("committed-3"), true);

        assertThat(consumeAll(broker, topic, 3, true))
                .containsExactly("committed-1", "committed-2", "committed-3");
    }

    @Test
    void flinkKafkaSourceReadsEveryRecordOfTheTopic(KafkaBroker broker) throws Exception {
        String topic = KafkaExtension.createTopic(broker, "flink-source", 2);
        List<String> sent = IntStream.range(0, 200).mapToObj(i -> "{\"n\":" + i + "}").toList();
        produce(broker, topic, sent, false);

        KafkaSource<String> source =
                KafkaSource.<String>builder()
                        .setBootstrapServers(broker.bootstrapServers())
                        .setTopics(topic)
                        .setGroupId("it-" + UUID.randomUUID())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setValueOnlyDeserializer(new SimpleStringSchema())
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<String> read = new ArrayList<>();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka")
                .executeAndCollect()
                .forEachRemaining(read::add);

        assertThat(read).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void brokerKeepingItsDataServesTheSameTopicAfterARestart() {
        try (KafkaBroker broker =
                KafkaBroker.builder()
                        .workDir(TestDirs.workDir().resolve("kafka-restart-" + UUID.randomUUID()))
                        .keepData(true)
                        .build()) {
            broker.start();
            String topic = KafkaExtension.createTopic(broker, "durable", 1);
            produce(broker, topic, List.of("before-restart"), false);

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            broker.start();
            produce(broker, topic, List.of("after-restart"), false);

            assertThat(consumeAll(broker, topic, 2, false))
                    .containsExactly("before-restart", "after-restart");
        }
    }

    private static void produce(
            KafkaBroker broker, String topic, List<String> values, boolean transactional) {
        try (KafkaProducer<String, String> producer =
                KafkaExtension.stringProducer(broker, transactional)) {
            if (transactional) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, values.get(i)));
            }
            if (transactional) {
                producer.commitTransaction();
            }
            producer.flush();
        }
    }

    private static List<String> consumeAll(
            KafkaBroker broker, String topic, int expected, boolean readCommitted) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                readCommitted ? "read_committed" : "read_uncommitted");
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            // One more poll: anything beyond the expected count is a failure, not noise.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        return values;
    }
}
