package dev.embedflow.deadletter;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Where a record came from, so that a dead letter can be traced back to it: Kafka coordinates for
 * the streaming job (topic, partition, offset, record timestamp), a file location or a table row
 * for the batch job. Absent parts are {@code null}. A record, which Flink serializes as a POJO.
 *
 * @param topic Kafka topic, or null
 * @param partition Kafka partition, or null
 * @param offset Kafka offset, or null
 * @param timestamp Kafka record timestamp in epoch milliseconds, or null
 * @param path file path or table, or null
 * @param line 1-based line or row number, or null
 */
@PublicEvolving
public record Origin(
        String topic, Integer partition, Long offset, Long timestamp, String path, Long line)
        implements Serializable {

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

    @Override
    public String toString() {
        if (topic != null) {
            return topic + "-" + partition + "@" + offset;
        }
        return line == null ? path : path + ":" + line;
    }
}
