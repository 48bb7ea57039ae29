package dev.embedflow.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns one Kafka record into an {@link Event}, or into a {@link DeadLetter} that says exactly why
 * it could not: never an exception, so a bad record cannot fail the job.
 *
 * <p>Three shapes are read:
 *
 * <ul>
 *   <li>a Kafka tombstone (null value) with a key: a delete of the entity named by the key;
 *   <li>CloudEvents binary mode (a {@code ce_specversion} header): attributes from the {@code ce_}
 *       headers, the value is the data;
 *   <li>a JSON value, CloudEvents structured mode or plain JSON: attributes at the configured JSON
 *       pointers.
 * </ul>
 *
 * Times are RFC 3339 / ISO-8601 instants (as CloudEvents requires) or epoch milliseconds.
 */
@Internal
public final class EventParser implements Serializable {
    private static final long serialVersionUID = 1L;

    static final String CE_PREFIX = "ce_";

    private final EventFormat format;
    private transient ObjectMapper mapper;

    public EventParser(EventFormat format) {
        this.format = format;
    }

    public EventFormat format() {
        return format;
    }

    /** Parses a record; the result holds either the event or the dead letter. */
    public SourceRecord parse(ConsumerRecord<byte[], byte[]> record) {
        Origin origin =
                Origin.kafka(
                        record.topic(), record.partition(), record.offset(), record.timestamp());
        byte[] value = record.value();
        try {
            if (value == null) {
                return tombstone(record, origin);
            }
            if (value.length > format.maxRecordSize().getBytes()) {
                return dead(
                        origin,
                        value,
                        "record of "
                                + value.length
                                + " bytes is over the limit of "
                                + format.maxRecordSize().toHumanReadableString()
                                + " (embedflow.source.max-record-size)");
            }
            String text = decodeUtf8(value);
            if (text == null) {
                return dead(origin, value, "value is not valid UTF-8");
            }
            Header specVersion = record.headers().lastHeader(CE_PREFIX + "specversion");
            return specVersion != null && format.cloudEventsBinaryMode()
                    ? binaryMode(record, origin, text)
                    : jsonValue(record, origin, text);
        } catch (RuntimeException e) {
            // A parser bug must not fail the job either: the record is kept with the reason.
            return dead(origin, value, "unexpected error while parsing: " + e);
        }
    }

    private SourceRecord tombstone(ConsumerRecord<byte[], byte[]> record, Origin origin) {
        String key = record.key() == null ? null : decodeUtf8(record.key());
        if (key == null || key.isBlank()) {
            return dead(
                    origin, null, "tombstone (null value) without a usable key: nothing to delete");
        }
        return SourceRecord.of(
                new Event(
                        key,
                        record.timestamp(),
                        null,
                        null,
                        null,
                        true,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp()));
    }

    private SourceRecord binaryMode(
            ConsumerRecord<byte[], byte[]> record, Origin origin, String text) {
        String entity = header(record, "subject");
        if (entity == null || entity.isBlank()) {
            entity = record.key() == null ? null : decodeUtf8(record.key());
        }
        if (entity == null || entity.isBlank()) {
            return dead(
                    origin,
                    record.value(),
                    "no entity key: CloudEvents binary record without a ce_subject header or a Kafka key");
        }
        String time = header(record, "time");
        if (time == null) {
            return dead(origin, record.value(), "no event time: no ce_time header");
        }
        Long eventTime = parseTime(time);
        if (eventTime == null) {
            return dead(
                    origin,
                    record.value(),
                    "event time '" + abbreviate(time) + "' in ce_time is not an RFC 3339 time");
        }
        JsonNode data;
        try {
            data = mapper().readTree(text);
        } catch (JsonProcessingException e) {
            // Binary mode data need not be JSON: keep it as a JSON string.
            data = mapper().getNodeFactory().textNode(text);
        }
        String type = header(record, "type");
        return event(
                record, entity, eventTime, type, header(record, "id"), data, isDeleteType(type));
    }

    private SourceRecord jsonValue(
            ConsumerRecord<byte[], byte[]> record, Origin origin, String text) {
        JsonNode root;
        try {
            root = mapper().readTree(text);
        } catch (JsonProcessingException e) {
            return dead(
                    origin,
                    record.value(),
                    "value is not JSON: " + e.getOriginalMessage() + " at " + location(e));
        }
        if (root == null || !root.isObject()) {
            return dead(
                    origin,
                    record.value(),
                    "value is JSON but not an object: "
                            + (root == null ? "empty" : root.getNodeType()));
        }
        String entity;
        if (format.keyPointer().isEmpty()) {
            entity = record.key() == null ? null : decodeUtf8(record.key());
        } else {
            entity = scalar(root.at(format.keyPointer()));
        }
        if (entity == null || entity.isBlank()) {
            return dead(
                    origin,
                    record.value(),
                    format.keyPointer().isEmpty()
                            ? "no entity key: the record has no Kafka key"
                            : "no entity key at " + format.keyPointer());
        }
        JsonNode timeNode = root.at(format.timePointer());
        if (timeNode.isMissingNode() || timeNode.isNull()) {
            return dead(origin, record.value(), "no event time at " + format.timePointer());
        }
        Long eventTime = timeNode.isNumber() ? Long.valueOf(timeNode.asLong()) : null;
        if (eventTime == null && timeNode.isTextual()) {
            eventTime = parseTime(timeNode.asText());
        }
        if (eventTime == null || (timeNode.isNumber() && !timeNode.canConvertToLong())) {
            return dead(
                    origin,
                    record.value(),
                    "event time "
                            + abbreviate(timeNode.toString())
                            + " at "
                            + format.timePointer()
                            + " is neither an RFC 3339 time nor epoch milliseconds");
        }
        String type = format.typePointer().isEmpty() ? null : scalar(root.at(format.typePointer()));
        String id = format.idPointer().isEmpty() ? null : scalar(root.at(format.idPointer()));
        JsonNode payload =
                format.payloadPointer().isEmpty() ? root : root.at(format.payloadPointer());
        if (payload.isMissingNode()) {
            payload = withoutAttributes(root);
        }
        return event(record, entity, eventTime, type, id, payload, isDeleteType(type));
    }

    /** Without a payload field, the payload is the value minus the attributes already read. */
    private JsonNode withoutAttributes(JsonNode root) {
        ObjectNode copy = ((ObjectNode) root).deepCopy();
        for (String pointer :
                List.of(
                        format.keyPointer(),
                        format.timePointer(),
                        format.typePointer(),
                        format.idPointer())) {
            if (pointer.lastIndexOf('/') == 0 && pointer.length() > 1) {
                copy.remove(pointer.substring(1));
            }
        }
        for (String attribute : List.of("specversion", "source", "datacontenttype")) {
            copy.remove(attribute);
        }
        return copy;
    }

    private SourceRecord event(
            ConsumerRecord<byte[], byte[]> record,
            String entity,
            long eventTime,
            String type,
            String id,
            JsonNode payload,
            boolean delete) {
        String payloadText;
        try {
            payloadText =
                    payload == null || payload.isNull()
                            ? null
                            : mapper().writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write back a parsed JSON tree", e);
        }
        return SourceRecord.of(
                new Event(
                        entity,
                        eventTime,
                        type,
                        id,
                        payloadText,
                        delete,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp()));
    }

    private boolean isDeleteType(String type) {
        return type != null && format.deleteTypes().contains(type);
    }

    private static SourceRecord dead(Origin origin, byte[] value, String reason) {
        return SourceRecord.of(DeadLetter.of(Stage.SOURCE, reason, List.of(origin), null, value));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String attribute) {
        Header header = record.headers().lastHeader(CE_PREFIX + attribute);
        return header == null || header.value() == null ? null : decodeUtf8(header.value());
    }

    /** A JSON scalar as text; null for a missing node, null, an object or an array. */
    private static String scalar(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? node.asText() : null;
    }

    /** Epoch milliseconds of an RFC 3339 time or of a number of milliseconds, or null. */
    static Long parseTime(String text) {
        String trimmed = text.strip();
        if (!trimmed.isEmpty()
                && trimmed.chars().allMatch(Character::isDigit)
                && trimmed.length() < 19) {
            return Long.parseLong(trimmed);
        }
        try {
            return OffsetDateTime.parse(trimmed).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(trimmed).toEpochMilli();
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }

    /** Strict UTF-8 decoding; null when the bytes are not valid UTF-8. */
    static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null
                ? "unknown position"
                : "line "
                        + e.getLocation().getLineNr()
                        + ", column "
                        + e.getLocation().getColumnNr();
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            mapper = new ObjectMapper();
        }
        return mapper;
    }
}
