package dev.embedflow.devserver;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes JSON lines (CloudEvents or plain JSON) to a Kafka topic, one record per non-blank line,
 * keyed by the line's {@code subject} (or another field named by a JSON pointer) when it has one,
 * so that every event of an entity lands on the same partition in order.
 *
 * <p>A line that is not a JSON object is still sent, unkeyed: the streaming job dead-letters it
 * with the reason, so nothing is dropped silently, and {@link Result#notJson()} tells the caller
 * how many there were.
 */
public final class EventPublisher implements AutoCloseable {

    /** The key of CloudEvents: the entity the event is about. */
    public static final String DEFAULT_KEY_POINTER = "/subject";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final JsonPointer keyPointer;

    private EventPublisher(String bootstrapServers, String topic, String keyPointer) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.keyPointer = JsonPointer.compile(keyPointer);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // An unreachable broker fails the first send within seconds instead of a minute.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        this.producer = new KafkaProducer<>(props);
    }

    /**
     * A publisher to {@code topic} at {@code bootstrapServers}, keying records by the field at
     * {@code keyPointer} (a JSON pointer such as {@value #DEFAULT_KEY_POINTER}).
     */
    public static EventPublisher connect(String bootstrapServers, String topic, String keyPointer) {
        if (keyPointer.isEmpty() || !keyPointer.startsWith("/")) {
            throw new IllegalArgumentException(
                    "The key pointer must be a JSON pointer such as /subject, was '"
                            + keyPointer
                            + "'");
        }
        return new EventPublisher(bootstrapServers, topic, keyPointer);
    }

    /** How many lines went out: all sent, how many with a key, how many were not JSON objects. */
    public record Result(int sent, int keyed, int notJson) {}

    /**
     * Sends every non-blank line of {@code lines} and waits until Kafka has acknowledged all of
     * them.
     *
     * @throws IllegalStateException if Kafka rejected or did not acknowledge a record (the message
     *     says how many and why)
     */
    public Result publish(BufferedReader lines) throws IOException {
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        int sent = 0;
        int keyed = 0;
        int notJson = 0;
        String line;
        try {
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Optional<JsonNode> parsed = parseObject(line);
                String key = parsed.flatMap(this::keyOf).orElse(null);
                if (parsed.isEmpty()) {
                    notJson++;
                }
                if (key != null) {
                    keyed++;
                }
                producer.send(
                        new ProducerRecord<>(topic, key, line),
                        (metadata, exception) -> {
                            if (exception != null) {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, exception);
                            }
                        });
                sent++;
            }
            producer.flush();
        } catch (KafkaException e) {
            throw new IllegalStateException(
                    "Could not publish to topic " + topic + ": " + e.getMessage(), e);
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(
                    failed.get()
                            + " of "
                            + sent
                            + " records were not accepted by Kafka (topic "
                            + topic
                            + "): "
                            + firstFailure.get().getMessage(),
                    firstFailure.get());
        }
        return new Result(sent, keyed, notJson);
    }

    /** The record key of a JSON line: the text at {@code keyPointer}, if the line has one. */
    public static Optional<String> keyOf(String line, String keyPointer) {
        JsonPointer pointer = JsonPointer.compile(keyPointer);
        return parseObject(line).flatMap(node -> textAt(node, pointer));
    }

    private Optional<String> keyOf(JsonNode node) {
        return textAt(node, keyPointer);
    }

    private static Optional<String> textAt(JsonNode node, JsonPointer pointer) {
        JsonNode value = node.at(pointer);
        if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
            return Optional.empty();
        }
        String text = value.asText();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    private static Optional<JsonNode> parseObject(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
