package dev.embedflow.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLetterKafkaSerializerTest {

    private static final Instant FAILED_AT = Instant.parse("2026-03-02T10:15:30Z");
    private static final DeadLetterKafkaSerializer SERIALIZER =
            new DeadLetterKafkaSerializer("dead-letters");

    @Test
    void aSingleKafkaOriginGetsCoordinateHeadersAndTheEnvelope() throws Exception {
        DeadLetter letter =
                new DeadLetter(
                        Stage.SINK,
                        "mapper_parsing_exception: failed to parse field [metadata.event_count]",
                        List.of(Origin.kafka("orders", 3, 1042, 1_700_000_000_000L)),
                        "customer-1@w",
                        "{\"text\":\"t\"}".getBytes(StandardCharsets.UTF_8),
                        FAILED_AT);

        ProducerRecord<byte[], byte[]> record = SERIALIZER.serialize(letter);

        assertThat(record.topic()).isEqualTo("dead-letters");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("customer-1@w");
        assertThat(record.value()).isEqualTo(letter.payload());
        assertThat(record.timestamp()).isEqualTo(FAILED_AT.toEpochMilli());
        assertThat(header(record, DeadLetterKafkaSerializer.STAGE)).isEqualTo("SINK");
        assertThat(header(record, DeadLetterKafkaSerializer.REASON)).isEqualTo(letter.reason());
        assertThat(header(record, DeadLetterKafkaSerializer.DOCUMENT_ID)).isEqualTo("customer-1@w");
        assertThat(header(record, DeadLetterKafkaSerializer.FAILED_AT))
                .isEqualTo("2026-03-02T10:15:30Z");
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_TOPIC)).isEqualTo("orders");
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_PARTITION)).isEqualTo("3");
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_OFFSET)).isEqualTo("1042");
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_TIMESTAMP))
                .isEqualTo("1700000000000");
        JsonNode origins =
                new ObjectMapper().readTree(header(record, DeadLetterKafkaSerializer.ORIGINS));
        assertThat(origins).hasSize(1);
        assertThat(origins.get(0).get("partition").asInt()).isEqualTo(3);
    }

    @Test
    void severalOriginsAreListedOnlyInTheJsonHeader() throws Exception {
        DeadLetter letter =
                new DeadLetter(
                        Stage.EMBEDDING,
                        "too long",
                        List.of(Origin.kafka("a", 0, 1, 10L), Origin.file("docs/x.md", 7L)),
                        null,
                        null,
                        FAILED_AT);

        ProducerRecord<byte[], byte[]> record = SERIALIZER.serialize(letter);

        assertThat(record.key()).isNull();
        assertThat(record.value()).isNull();
        assertThat(record.headers().lastHeader(DeadLetterKafkaSerializer.ORIGIN_TOPIC)).isNull();
        assertThat(record.headers().lastHeader(DeadLetterKafkaSerializer.DOCUMENT_ID)).isNull();
        JsonNode origins =
                new ObjectMapper().readTree(header(record, DeadLetterKafkaSerializer.ORIGINS));
        assertThat(origins).hasSize(2);
        assertThat(origins.get(1).get("path").asText()).isEqualTo("docs/x.md");
        assertThat(origins.get(1).get("line").asLong()).isEqualTo(7);
    }

    @Test
    void aSingleFileOriginGetsPathAndLineHeaders() {
        DeadLetter letter =
                new DeadLetter(
                        Stage.SOURCE,
                        "not JSON",
                        List.of(Origin.file("in.jsonl", 12L)),
                        null,
                        new byte[] {1},
                        FAILED_AT);

        ProducerRecord<byte[], byte[]> record = SERIALIZER.serialize(letter);

        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_PATH)).isEqualTo("in.jsonl");
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_LINE)).isEqualTo("12");
    }

    @Test
    void aVeryLongReasonIsCut() {
        DeadLetter letter =
                new DeadLetter(Stage.SINK, "x".repeat(10_000), List.of(), "id", null, FAILED_AT);

        String reason = header(SERIALIZER.serialize(letter), DeadLetterKafkaSerializer.REASON);

        assertThat(reason).hasSize(DeadLetterKafkaSerializer.MAX_REASON_CHARS).endsWith("…");
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        assertThat(header).as(key).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
