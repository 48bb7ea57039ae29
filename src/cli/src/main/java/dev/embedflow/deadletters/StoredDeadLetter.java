package dev.embedflow.deadletters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.deadletter.DeadLetterKafkaSerializer;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A dead letter as stored: on the dead-letter topic (where {@link #location()} is {@code
 * topic-partition@offset}) or in a batch run's JSON-lines file ({@code file:line}).
 *
 * @param location where the dead letter itself is stored
 * @param stage the stage that gave up
 * @param reason why
 * @param documentId the document concerned, or null
 * @param origins where the record came from
 * @param failedAt when the stage gave up
 * @param payload the bytes kept with it (the original record for the source stage), or null
 */
public record StoredDeadLetter(
        String location,
        Stage stage,
        String reason,
        String documentId,
        List<Origin> origins,
        Instant failedAt,
        byte[] payload) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INSTANT =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z");
    private static final Pattern NUMBER = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern QUOTED = Pattern.compile("'[^']*'");

    /** Where a Kafka record is: {@code topic-partition@offset}. */
    public static String location(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    /** A record of the dead-letter topic, read back from the headers the job writes. */
    public static StoredDeadLetter fromKafka(ConsumerRecord<byte[], byte[]> record) {
        String stage = header(record, DeadLetterKafkaSerializer.STAGE);
        String failedAt = header(record, DeadLetterKafkaSerializer.FAILED_AT);
        return new StoredDeadLetter(
                location(record.topic(), record.partition(), record.offset()),
                stage == null ? null : Stage.valueOf(stage),
                String.valueOf(header(record, DeadLetterKafkaSerializer.REASON)),
                header(record, DeadLetterKafkaSerializer.DOCUMENT_ID),
                origins(header(record, DeadLetterKafkaSerializer.ORIGINS)),
                failedAt == null
                        ? Instant.ofEpochMilli(record.timestamp())
                        : Instant.parse(failedAt),
                record.value());
    }

    /** A line of a batch run's dead-letter file (see {@code JsonLinesDeadLetterWriter}). */
    public static StoredDeadLetter fromJsonLine(String location, String line) throws IOException {
        JsonNode node = JSON.readTree(line);
        byte[] payload = null;
        if (node.hasNonNull("payload")) {
            payload = node.get("payload").asText().getBytes(StandardCharsets.UTF_8);
        } else if (node.hasNonNull("payload_base64")) {
            payload = Base64.getDecoder().decode(node.get("payload_base64").asText());
        }
        return new StoredDeadLetter(
                location,
                Stage.valueOf(node.path("stage").asText()),
                node.path("reason").asText(),
                node.hasNonNull("document_id") ? node.get("document_id").asText() : null,
                origins(node.path("origins")),
                Instant.parse(node.path("failed_at").asText()),
                payload);
    }

    /**
     * The reason with its particulars (times, numbers, quoted values) blanked, so that dead letters
     * that failed the same way group together: "record of 2345 bytes is over the limit of 1 kb"
     * becomes "record of # bytes is over the limit of # kb".
     */
    public String reasonKind() {
        String kind = INSTANT.matcher(reason).replaceAll("<time>");
        kind = QUOTED.matcher(kind).replaceAll("'…'");
        return NUMBER.matcher(kind).replaceAll("#");
    }

    /** Whether {@code text} is part of the reason (case-insensitive). */
    public boolean reasonContains(String text) {
        return reason.toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT));
    }

    /** The Kafka origins (topic, partition, offset) of the record, those a redrive can fetch. */
    public List<Origin> kafkaOrigins() {
        return origins.stream().filter(o -> o.topic() != null && o.offset() != null).toList();
    }

    private static List<Origin> origins(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return origins(JSON.readTree(json));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<Origin> origins(JsonNode array) {
        List<Origin> origins = new ArrayList<>();
        for (JsonNode o : array) {
            origins.add(
                    new Origin(
                            o.hasNonNull("topic") ? o.get("topic").asText() : null,
                            o.hasNonNull("partition") ? o.get("partition").asInt() : null,
                            o.hasNonNull("offset") ? o.get("offset").asLong() : null,
                            o.hasNonNull("timestamp") ? o.get("timestamp").asLong() : null,
                            o.hasNonNull("path") ? o.get("path").asText() : null,
                            o.hasNonNull("line") ? o.get("line").asLong() : null));
        }
        return List.copyOf(origins);
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null
                ? null
                : new String(header.value(), StandardCharsets.UTF_8);
    }
}
