package dev.embedflow.window;

import dev.embedflow.deadletter.Origin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * An event as a document shows it, parsed once when it arrives ({@link DocumentRenderer#prepare}):
 * time, type, id, payload, its salient fields, and where it came from. A Flink POJO kept in keyed
 * state, one entry per event, so that adding an event to a window writes only that event.
 */
@Internal
public class DocumentEvent {

    /** Time, then Kafka coordinates: a total order, for deterministic documents. */
    public static final Comparator<DocumentEvent> ORDER =
            Comparator.comparingLong(DocumentEvent::getEventTime)
                    .thenComparing(e -> e.getTopic() == null ? "" : e.getTopic())
                    .thenComparingInt(DocumentEvent::getPartition)
                    .thenComparingLong(DocumentEvent::getOffset);

    private long eventTime;
    private String type;
    private String id;
    private String payload;
    private String topic;
    private int partition;
    private long offset;
    private long kafkaTimestamp;
    private List<String> fields = new ArrayList<>();

    /** For Flink's POJO serializer. */
    public DocumentEvent() {}

    public long getEventTime() {
        return eventTime;
    }

    public void setEventTime(long eventTime) {
        this.eventTime = eventTime;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getPayload() {
        return payload;
    }

    public void setPayload(String payload) {
        this.payload = payload;
    }

    public String getTopic() {
        return topic;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public int getPartition() {
        return partition;
    }

    public void setPartition(int partition) {
        this.partition = partition;
    }

    public long getOffset() {
        return offset;
    }

    public void setOffset(long offset) {
        this.offset = offset;
    }

    public long getKafkaTimestamp() {
        return kafkaTimestamp;
    }

    public void setKafkaTimestamp(long kafkaTimestamp) {
        this.kafkaTimestamp = kafkaTimestamp;
    }

    /** The salient fields as name, value, name, value, ... */
    public List<String> getFields() {
        return fields;
    }

    public void setFields(List<String> fields) {
        this.fields = fields;
    }

    /** Where the event came from, for dead letters. */
    public Origin origin() {
        return Origin.kafka(topic, partition, offset, kafkaTimestamp);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DocumentEvent e
                && eventTime == e.eventTime
                && partition == e.partition
                && offset == e.offset
                && kafkaTimestamp == e.kafkaTimestamp
                && Objects.equals(type, e.type)
                && Objects.equals(id, e.id)
                && Objects.equals(payload, e.payload)
                && Objects.equals(topic, e.topic)
                && Objects.equals(fields, e.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventTime, topic, partition, offset);
    }

    @Override
    public String toString() {
        return "DocumentEvent["
                + type
                + " at "
                + eventTime
                + ", "
                + topic
                + "-"
                + partition
                + "@"
                + offset
                + "]";
    }
}
