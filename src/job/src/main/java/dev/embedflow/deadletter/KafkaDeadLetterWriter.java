package dev.embedflow.deadletter;

import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.annotation.Internal;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes dead letters to a Kafka topic in the layout of {@link DeadLetterKafkaSerializer}, with an
 * idempotent producer ({@code acks=all}). Sends are asynchronous; a failed send is rethrown by the
 * next {@link #write} or {@link #flush}, on the caller's thread.
 */
@Internal
public final class KafkaDeadLetterWriter implements DeadLetterWriter {

    private final KafkaProducer<byte[], byte[]> producer;
    private final DeadLetterKafkaSerializer serializer;
    private final AtomicReference<Exception> asyncFailure = new AtomicReference<>();

    private KafkaDeadLetterWriter(Properties producerProperties, String topic) {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.serializer = new DeadLetterKafkaSerializer(topic);
    }

    /**
     * A factory for writers to {@code topic}, with producer {@code properties} (at least {@code
     * bootstrap.servers}; security settings as for any Kafka client).
     */
    public static DeadLetterWriter.Factory factory(String topic, Map<String, String> properties) {
        Objects.requireNonNull(topic, "topic");
        if (!properties.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException(
                    "the dead-letter producer needs " + ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        }
        Map<String, String> copy = Map.copyOf(properties);
        return new Factory(topic, copy);
    }

    @Override
    public void write(DeadLetter deadLetter) throws Exception {
        checkAsyncFailure();
        producer.send(
                serializer.serialize(deadLetter),
                (metadata, e) -> {
                    if (e != null) {
                        asyncFailure.compareAndSet(null, e);
                    }
                });
    }

    @Override
    public void flush() throws Exception {
        producer.flush();
        checkAsyncFailure();
    }

    private void checkAsyncFailure() throws Exception {
        Exception e = asyncFailure.get();
        if (e != null) {
            throw new IllegalStateException(
                    "writing a dead letter to topic " + serializer.topic() + " failed", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Serializable: a topic and producer properties (strings). */
    private record Factory(String topic, Map<String, String> properties)
            implements DeadLetterWriter.Factory {
        @Override
        public DeadLetterWriter open() {
            Properties props = new Properties();
            props.putAll(properties);
            return new KafkaDeadLetterWriter(props, topic);
        }

        @Override
        public String toString() {
            return "KafkaDeadLetterWriter[" + topic + "]";
        }
    }
}
