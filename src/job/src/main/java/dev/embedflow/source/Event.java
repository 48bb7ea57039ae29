package dev.embedflow.source;

import dev.embedflow.deadletter.Origin;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One business event read from Kafka: which entity it is about, when it happened, what kind it is
 * and its payload (JSON text), with the Kafka coordinates it came from. A Flink POJO.
 *
 * <p>A delete event ({@link #isDelete()}) removes the entity's documents: a Kafka tombstone or an
 * event of a configured delete type.
 */
@PublicEvolving
public class Event {

    private String entity;
    private long eventTime;
    private String type;
    private String id;
    private String payload;
    private boolean delete;
    private String topic;
    private int partition;
    private long offset;
    private long kafkaTimestamp;

    /** For Flink's POJO serializer. */
    public Event() {}

    public Event(
            String entity,
            long eventTime,
            String type,
            String id,
            String payload,
            boolean delete,
            String topic,
            int partition,
            long offset,
            long kafkaTimestamp) {
        this.entity = entity;
        this.eventTime = eventTime;
        this.type = type;
        this.id = id;
        this.payload = payload;
        this.delete = delete;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.kafkaTimestamp = kafkaTimestamp;
    }

    /** The entity key the event is about (a customer, an order...). */
    public String getEntity() {
        return entity;
    }

    public void setEntity(String entity) {
        this.entity = entity;
    }

    /** When the event happened, epoch milliseconds: the event time Flink's windows use. */
    public long getEventTime() {
        return eventTime;
    }

    public void setEventTime(long eventTime) {
        this.eventTime = eventTime;
    }

    /** The event type (CloudEvents {@code type}), or null. */
    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    /** The event's own id (CloudEvents {@code id}), or null. */
    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    /** The payload as JSON text (CloudEvents {@code data}), or null for a delete. */
    public String getPayload() {
        return payload;
    }

    public void setPayload(String payload) {
        this.payload = payload;
    }

    public boolean isDelete() {
        return delete;
    }

    public void setDelete(boolean delete) {
        this.delete = delete;
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

    /** The Kafka coordinates, for dead letters. */
    public Origin origin() {
        return Origin.kafka(topic, partition, offset, kafkaTimestamp);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e
                && eventTime == e.eventTime
                && delete == e.delete
                && partition == e.partition
                && offset == e.offset
                && kafkaTimestamp == e.kafkaTimestamp
                && Objects.equals(entity, e.entity)
                && Objects.equals(type, e.type)
                && Objects.equals(id, e.id)
                && Objects.equals(payload, e.payload)
                && Objects.equals(topic, e.topic);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entity, eventTime, type, id, topic, partition, offset);
    }

    @Override
    public String toString() {
        return (delete ? "Delete[" : "Event[")
                + entity
                + ", "
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
