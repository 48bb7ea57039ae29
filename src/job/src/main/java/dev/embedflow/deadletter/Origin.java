package dev.embedflow.deadletter;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Where a record came from, so that a dead letter can be traced back to it: Kafka coordinates for
 * the streaming job (topic, partition, offset, record timestamp), a file location or a table row
 * for the batch job. Absent parts are {@code null}.
 */
@PublicEvolving
public final class Origin implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final Integer partition;
    private final Long offset;
    private final Long timestamp;
    private final String path;
    private final Long line;

    private Origin(
            String topic, Integer partition, Long offset, Long timestamp, String path, Long line) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.path = path;
        this.line = line;
    }

    /** A Kafka record: its topic, partition, offset and timestamp (epoch milliseconds). */
    public static Origin kafka(String topic, int partition, long offset, long timestamp) {
        return new Origin(
                Objects.requireNonNull(topic, "topic"), partition, offset, timestamp, null, null);
    }

    /**
     * A place in a file or table: a path (or {@code jdbc:...#table}) and a 1-based line or row
     * number, {@code null} when the whole source is meant.
     */
    public static Origin file(String path, Long line) {
        return new Origin(null, null, null, null, Objects.requireNonNull(path, "path"), line);
    }

    /** Kafka topic, or null. */
    public String topic() {
        return topic;
    }

    /** Kafka partition, or null. */
    public Integer partition() {
        return partition;
    }

    /** Kafka offset, or null. */
    public Long offset() {
        return offset;
    }

    /** Kafka record timestamp in epoch milliseconds, or null. */
    public Long timestamp() {
        return timestamp;
    }

    /** File path or table, or null. */
    public String path() {
        return path;
    }

    /** 1-based line or row number, or null. */
    public Long line() {
        return line;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Origin other
                && Objects.equals(topic, other.topic)
                && Objects.equals(partition, other.partition)
                && Objects.equals(offset, other.offset)
                && Objects.equals(timestamp, other.timestamp)
                && Objects.equals(path, other.path)
                && Objects.equals(line, other.line);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, timestamp, path, line);
    }

    @Override
    public String toString() {
        if (topic != null) {
            return topic + "-" + partition + "@" + offset;
        }
        return line == null ? path : path + ":" + line;
    }
}
