package dev.embedflow.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The one layout of a dead letter on a Kafka topic, used by every stage (from inside an operator
 * through {@link KafkaDeadLetterWriter}, or by a Flink {@code KafkaSink} as a {@link
 * KafkaRecordSerializationSchema}):
 *
 * <ul>
 *   <li>key: the document id (UTF-8), or none;
 *   <li>value: the payload bytes as they were (the original record or the rendered document);
 *   <li>headers: {@value #STAGE}, {@value #REASON}, {@value #DOCUMENT_ID} (if any), {@value
 *       #FAILED_AT} (ISO-8601), {@value #ORIGINS} (a JSON array of every origin), and for a single
 *       origin its coordinates: {@value #ORIGIN_TOPIC}, {@value #ORIGIN_PARTITION}, {@value
 *       #ORIGIN_OFFSET}, {@value #ORIGIN_TIMESTAMP} (epoch ms) for Kafka, {@value #ORIGIN_PATH} and
 *       {@value #ORIGIN_LINE} for a file. Values are UTF-8 text.
 * </ul>
 */
@Internal
public final class DeadLetterKafkaSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public static final String STAGE = "embedflow.stage";
    public static final String REASON = "embedflow.reason";
    public static final String DOCUMENT_ID = "embedflow.document-id";
    public static final String FAILED_AT = "embedflow.failed-at";
    public static final String ORIGINS = "embedflow.origins";
    public static final String ORIGIN_TOPIC = "embedflow.origin.topic";
    public static final String ORIGIN_PARTITION = "embedflow.origin.partition";
    public static final String ORIGIN_OFFSET = "embedflow.origin.offset";
    public static final String ORIGIN_TIMESTAMP = "embedflow.origin.timestamp";
    public static final String ORIGIN_PATH = "embedflow.origin.path";
    public static final String ORIGIN_LINE = "embedflow.origin.line";

    /** Longest reason kept in the header; longer reasons are cut with an ellipsis. */
    public static final int MAX_REASON_CHARS = 4_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;

    public DeadLetterKafkaSerializer(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    public String topic() {
        return topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter deadLetter, KafkaSinkContext context, Long timestamp) {
        return serialize(deadLetter);
    }

    /** The record for {@code deadLetter}, timestamped with its failure time. */
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter deadLetter) {
        byte[] key =
                deadLetter.documentId() == null
                        ? null
                        : deadLetter.documentId().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(
                topic,
                null,
                deadLetter.failedAt().toEpochMilli(),
                key,
                deadLetter.payload(),
                headers(deadLetter));
    }

    /** The envelope headers of {@code deadLetter}. */
    public static Headers headers(DeadLetter deadLetter) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, STAGE, deadLetter.stage().name());
        String reason = deadLetter.reason();
        if (reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS - 1) + "…";
        }
        add(headers, REASON, reason);
        if (deadLetter.documentId() != null) {
            add(headers, DOCUMENT_ID, deadLetter.documentId());
        }
        add(headers, FAILED_AT, deadLetter.failedAt().toString());
        if (deadLetter.origins().size() == 1) {
            Origin origin = deadLetter.origins().get(0);
            if (origin.topic() != null) {
                add(headers, ORIGIN_TOPIC, origin.topic());
                add(headers, ORIGIN_PARTITION, String.valueOf(origin.partition()));
                add(headers, ORIGIN_OFFSET, String.valueOf(origin.offset()));
                add(headers, ORIGIN_TIMESTAMP, String.valueOf(origin.timestamp()));
            } else {
                add(headers, ORIGIN_PATH, origin.path());
                if (origin.line() != null) {
                    add(headers, ORIGIN_LINE, String.valueOf(origin.line()));
                }
            }
        }
        add(headers, ORIGINS, originsJson(deadLetter));
        return headers;
    }

    private static String originsJson(DeadLetter deadLetter) {
        ArrayNode array = JSON.createArrayNode();
        for (Origin origin : deadLetter.origins()) {
            ObjectNode node = array.addObject();
            if (origin.topic() != null) {
                node.put("topic", origin.topic());
                node.put("partition", origin.partition());
                node.put("offset", origin.offset());
                node.put("timestamp", origin.timestamp());
            } else {
                node.put("path", origin.path());
                if (origin.line() != null) {
                    node.put("line", origin.line());
                }
            }
        }
        try {
            return JSON.writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render origins as JSON", e);
        }
    }

    private static void add(Headers headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
