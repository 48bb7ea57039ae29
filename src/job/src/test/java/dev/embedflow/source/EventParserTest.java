package dev.embedflow.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.configuration.MemorySize;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class EventParserTest {

    private static final String TOPIC = "events";
    private static final long KAFKA_TS = 1_700_000_000_000L;
    private static final String ORDER_PLACED =
            """
            {"specversion":"1.0","id":"e-1","source":"/shop","type":"order.placed",
             "subject":"customer-42","time":"2026-03-01T10:15:30.250Z",
             "data":{"orderId":"1042","total":79.9}}
            """;

    private final EventParser cloudEvents = new EventParser(EventFormat.cloudEvents());

    @Test
    void readsAStructuredCloudEvent() {
        Event event = cloudEvents.parse(record(null, ORDER_PLACED, 7)).getEvent();

        assertThat(event.getEntity()).isEqualTo("customer-42");
        assertThat(event.getEventTime())
                .isEqualTo(Instant.parse("2026-03-01T10:15:30.250Z").toEpochMilli());
        assertThat(event.getType()).isEqualTo("order.placed");
        assertThat(event.getId()).isEqualTo("e-1");
        assertThat(event.getPayload()).isEqualTo("{\"orderId\":\"1042\",\"total\":79.9}");
        assertThat(event.isDelete()).isFalse();
        assertThat(event.origin()).isEqualTo(Origin.kafka(TOPIC, 0, 7, KAFKA_TS));
    }

    @Test
    void readsABinaryModeCloudEventFromCeHeaders() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(header("ce_specversion", "1.0"));
        headers.add(header("ce_id", "e-9"));
        headers.add(header("ce_type", "ticket.opened"));
        headers.add(header("ce_subject", "customer-7"));
        headers.add(header("ce_time", "2026-03-01T12:00:00+01:00"));

        Event event = cloudEvents.parse(record(null, "{\"ticket\":310}", 3, headers)).getEvent();

        assertThat(event.getEntity()).isEqualTo("customer-7");
        assertThat(event.getType()).isEqualTo("ticket.opened");
        assertThat(event.getEventTime())
                .isEqualTo(Instant.parse("2026-03-01T11:00:00Z").toEpochMilli());
        assertThat(event.getPayload()).isEqualTo("{\"ticket\":310}");
    }

    @Test
    void readsPlainJsonAtConfiguredPointersWithEpochMillis() {
        EventParser parser =
                new EventParser(
                        EventFormat.builder()
                                .keyPointer("/customer/id")
                                .timePointer("/ts")
                                .typePointer("/kind")
                                .idPointer("")
                                .payloadPointer("")
                                .build());

        Event event =
                parser.parse(
                                record(
                                        null,
                                        "{\"customer\":{\"id\":18},\"ts\":1772360130000,\"kind\":\"plan.upgraded\"}",
                                        0))
                        .getEvent();

        assertThat(event.getEntity()).isEqualTo("18");
        assertThat(event.getEventTime()).isEqualTo(1772360130000L);
        assertThat(event.getType()).isEqualTo("plan.upgraded");
        assertThat(event.getId()).isNull();
        assertThat(event.getPayload()).contains("\"kind\":\"plan.upgraded\"");
    }

    @Test
    void tombstoneDeletesTheEntityNamedByTheKafkaKey() {
        Event event = cloudEvents.parse(record("customer-42", null, 11)).getEvent();

        assertThat(event.isDelete()).isTrue();
        assertThat(event.getEntity()).isEqualTo("customer-42");
    }

    @Test
    void configuredDeleteTypeDeletesTheEntity() {
        EventParser parser =
                new EventParser(EventFormat.builder().deleteTypes(Set.of("order.placed")).build());

        assertThat(parser.parse(record(null, ORDER_PLACED, 0)).getEvent().isDelete()).isTrue();
    }

    @Test
    void valueThatIsNotJsonIsADeadLetterWithItsCoordinatesAndBytes() {
        DeadLetter dead = cloudEvents.parse(record(null, "{\"subject\": oops", 5)).getDeadLetter();

        assertThat(dead.stage()).isEqualTo(Stage.SOURCE);
        assertThat(dead.reason()).startsWith("value is not JSON").contains("line 1");
        assertThat(dead.origins()).containsExactly(Origin.kafka(TOPIC, 0, 5, KAFKA_TS));
        assertThat(new String(dead.payload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"subject\": oops");
    }

    @Test
    void missingOrBadAttributesAreDeadLettersNamingTheAttribute() {
        assertThat(reasonFor("{\"time\":\"2026-03-01T10:00:00Z\"}"))
                .isEqualTo("no entity key at /subject");
        assertThat(reasonFor("{\"subject\":\"c-1\"}")).isEqualTo("no event time at /time");
        assertThat(reasonFor("{\"subject\":\"c-1\",\"time\":\"yesterday\"}"))
                .contains("\"yesterday\"")
                .contains("neither an RFC 3339 time nor epoch milliseconds");
        assertThat(reasonFor("{\"subject\":{\"id\":1},\"time\":\"2026-03-01T10:00:00Z\"}"))
                .isEqualTo("no entity key at /subject");
        assertThat(reasonFor("[1,2,3]")).isEqualTo("value is JSON but not an object: ARRAY");
    }

    @Test
    void recordOverTheSizeLimitIsADeadLetter() {
        EventParser parser =
                new EventParser(
                        EventFormat.builder().maxRecordSize(MemorySize.parse("100b")).build());

        DeadLetter dead = parser.parse(record(null, ORDER_PLACED, 0)).getDeadLetter();

        assertThat(dead.reason()).contains("over the limit of 100 bytes");
    }

    @Test
    void invalidUtf8IsADeadLetter() {
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>(
                        TOPIC,
                        0,
                        1,
                        KAFKA_TS,
                        TimestampType.CREATE_TIME,
                        0,
                        3,
                        null,
                        new byte[] {'{', (byte) 0xC3, (byte) 0x28},
                        new RecordHeaders(),
                        Optional.empty());

        assertThat(cloudEvents.parse(record).getDeadLetter().reason())
                .isEqualTo("value is not valid UTF-8");
    }

    @Test
    void tombstoneWithoutKeyIsADeadLetter() {
        assertThat(cloudEvents.parse(record(null, null, 0)).getDeadLetter().reason())
                .contains("tombstone");
    }

    @Test
    void pointerThatIsNotAJsonPointerIsRejectedWhenConfigured() {
        assertThatThrownBy(() -> EventFormat.builder().keyPointer("subject").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'subject' is not a JSON pointer");
    }

    private String reasonFor(String value) {
        SourceRecord result = cloudEvents.parse(record(null, value, 0));
        assertThat(result.isEvent()).as("%s should be rejected", value).isFalse();
        return result.getDeadLetter().reason();
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, String value, long offset) {
        return record(key, value, offset, new RecordHeaders());
    }

    private static ConsumerRecord<byte[], byte[]> record(
            String key, String value, long offset, RecordHeaders headers) {
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>(
                TOPIC,
                0,
                offset,
                KAFKA_TS,
                TimestampType.CREATE_TIME,
                k == null ? -1 : k.length,
                v == null ? -1 : v.length,
                k,
                v,
                headers,
                Optional.empty());
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
