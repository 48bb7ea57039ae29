package dev.embedflow.source;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.embedflow.deadletter.DeadLetterOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/** Settings of the Kafka source and of the event format, as typed Flink options. */
@PublicEvolving
public final class SourceOptions {

    /** How the event values are read. */
    public enum Format {
        /**
         * CloudEvents JSON: structured mode, or binary mode when {@code ce_} headers are present.
         */
        CLOUDEVENTS,
        /** Plain JSON: attributes only at the configured pointers; {@code ce_} headers ignored. */
        JSON
    }

    /** Where a new consumer group starts reading. */
    public enum StartingOffsets {
        /** The group's committed offsets, or the earliest where it has none. */
        COMMITTED,
        EARLIEST,
        LATEST,
        /** The first records at or after {@code source.starting-timestamp}. */
        TIMESTAMP
    }

    /** Prefix of Kafka consumer properties passed through as they are (SASL, SSL, ...). */
    public static final String KAFKA_PROPERTIES_PREFIX = "source.kafka.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("source.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka bootstrap servers, host:port[,host:port...]. Required.");

    public static final ConfigOption<List<String>> TOPICS =
            key("source.topics")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Topics to read, separated by ';'. Either this or source.topic-pattern.");

    public static final ConfigOption<String> TOPIC_PATTERN =
            key("source.topic-pattern")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A Java regular expression: every topic it matches is read, including"
                                    + " topics created later. Either this or source.topics.");

    public static final ConfigOption<String> GROUP_ID =
            key("source.group-id")
                    .stringType()
                    .defaultValue("embedflow")
                    .withDescription(
                            "Kafka consumer group. Offsets are committed to it on every completed"
                                    + " checkpoint (for monitoring lag; the job restores from its"
                                    + " checkpoints).");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            key("source.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED)
                    .withDescription(
                            "Where a job without a checkpoint starts: COMMITTED (the group's offsets,"
                                    + " else earliest), EARLIEST, LATEST or TIMESTAMP.");

    public static final ConfigOption<String> STARTING_TIMESTAMP =
            key("source.starting-timestamp")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "With source.starting-offsets TIMESTAMP: an ISO-8601 instant"
                                    + " (2026-03-01T00:00:00Z) or epoch milliseconds.");

    public static final ConfigOption<Boolean> BOUNDED =
            key("source.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Stop at the offsets that are latest when the job starts (for backfills"
                                    + " and tests) instead of running forever. A run that"
                                    + " finished commits them to source.group-id, so that the"
                                    + " next run from COMMITTED offsets starts after it.");

    public static final ConfigOption<Format> FORMAT =
            key("source.format")
                    .enumType(Format.class)
                    .defaultValue(Format.CLOUDEVENTS)
                    .withDescription(
                            "CLOUDEVENTS (structured or binary mode) or JSON (plain JSON).");

    public static final ConfigOption<String> KEY_POINTER =
            key("source.key-pointer")
                    .stringType()
                    .defaultValue("/subject")
                    .withDescription(
                            "JSON pointer to the entity key; empty for the Kafka record key.");

    public static final ConfigOption<String> TIME_POINTER =
            key("source.time-pointer")
                    .stringType()
                    .defaultValue("/time")
                    .withDescription(
                            "JSON pointer to the event time: an RFC 3339 time or epoch milliseconds.");

    public static final ConfigOption<String> TYPE_POINTER =
            key("source.type-pointer")
                    .stringType()
                    .defaultValue("/type")
                    .withDescription("JSON pointer to the event type; empty for none.");

    public static final ConfigOption<String> ID_POINTER =
            key("source.id-pointer")
                    .stringType()
                    .defaultValue("/id")
                    .withDescription("JSON pointer to the event id; empty for none.");

    public static final ConfigOption<String> PAYLOAD_POINTER =
            key("source.payload-pointer")
                    .stringType()
                    .defaultValue("/data")
                    .withDescription(
                            "JSON pointer to the payload rendered into documents; empty for the"
                                    + " whole value. Without a field there, the value minus the"
                                    + " attributes.");

    public static final ConfigOption<List<String>> DELETE_EVENT_TYPES =
            key("source.delete-event-types")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Event types that delete their entity's documents, separated by ';'."
                                    + " A Kafka tombstone (a key with a null value) always does.");

    public static final ConfigOption<MemorySize> MAX_RECORD_SIZE =
            key("source.max-record-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1mb"))
                    .withDescription(
                            "Larger records go to the dead-letter topic instead of being parsed.");

    public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS =
            key("source.max-out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How far behind the newest event time the watermark trails: events up"
                                    + " to this much out of order still land in their window.");

    public static final ConfigOption<Duration> IDLENESS =
            key("source.idleness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "A partition without events for this long stops holding the watermark"
                                    + " back, so windows on busy partitions still close. Records"
                                    + " the job cannot parse (dead letters) do not count as"
                                    + " events.");

    private SourceOptions() {}

    /** Every option of this class, for the configuration reference. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                BOOTSTRAP_SERVERS,
                TOPICS,
                TOPIC_PATTERN,
                GROUP_ID,
                STARTING_OFFSETS,
                STARTING_TIMESTAMP,
                BOUNDED,
                FORMAT,
                KEY_POINTER,
                TIME_POINTER,
                TYPE_POINTER,
                ID_POINTER,
                PAYLOAD_POINTER,
                DELETE_EVENT_TYPES,
                MAX_RECORD_SIZE,
                MAX_OUT_OF_ORDERNESS,
                IDLENESS);
    }

    /**
     * The event format from the configuration.
     *
     * @throws IllegalArgumentException naming the key of a bad setting
     */
    public static EventFormat eventFormat(ReadableConfig config) {
        try {
            return EventFormat.builder()
                    .cloudEventsBinaryMode(config.get(FORMAT) == Format.CLOUDEVENTS)
                    .keyPointer(config.get(KEY_POINTER))
                    .timePointer(config.get(TIME_POINTER))
                    .typePointer(config.get(TYPE_POINTER))
                    .idPointer(config.get(ID_POINTER))
                    .payloadPointer(config.get(PAYLOAD_POINTER))
                    .deleteTypes(Set.copyOf(config.get(DELETE_EVENT_TYPES)))
                    .maxRecordSize(config.get(MAX_RECORD_SIZE))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad source.* setting: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the connection settings that have no usable default, naming the key of the first bad
     * one.
     */
    public static void validateConnection(ReadableConfig config) {
        if (config.getOptional(BOOTSTRAP_SERVERS).map(String::isBlank).orElse(true)) {
            throw new IllegalArgumentException(
                    BOOTSTRAP_SERVERS.key() + " is required: the Kafka brokers to read from");
        }
        boolean topics = config.getOptional(TOPICS).map(t -> !t.isEmpty()).orElse(false);
        boolean pattern = config.getOptional(TOPIC_PATTERN).map(p -> !p.isBlank()).orElse(false);
        if (topics == pattern) {
            throw new IllegalArgumentException(
                    "Set exactly one of "
                            + TOPICS.key()
                            + " and "
                            + TOPIC_PATTERN.key()
                            + (topics ? " (both are set)" : " (neither is set)"));
        }
        if (config.get(STARTING_OFFSETS) == StartingOffsets.TIMESTAMP) {
            startingTimestamp(config);
        }
    }

    /** {@link #STARTING_TIMESTAMP} in epoch milliseconds. */
    public static long startingTimestamp(ReadableConfig config) {
        String value =
                config.getOptional(STARTING_TIMESTAMP)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                STARTING_TIMESTAMP.key()
                                                        + " is required when "
                                                        + STARTING_OFFSETS.key()
                                                        + " is TIMESTAMP"));
        try {
            return value.chars().allMatch(Character::isDigit)
                    ? Long.parseLong(value)
                    : Instant.parse(value).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(
                    STARTING_TIMESTAMP.key()
                            + " '"
                            + value
                            + "' is neither an ISO-8601 instant nor epoch milliseconds");
        }
    }

    /**
     * Kafka consumer properties given as {@code source.kafka.<property>} (for example {@code
     * source.kafka.security.protocol: SASL_SSL}), without the prefix. Secrets belong in Kafka
     * config providers, e.g. {@code password="${env:KAFKA_PASSWORD}"} with {@code
     * source.kafka.config.providers: env}.
     */
    public static Properties kafkaProperties(Configuration config) {
        Properties properties = new Properties();
        Map<String, String> sorted = new TreeMap<>(config.toMap());
        sorted.forEach(
                (k, v) -> {
                    if (k.startsWith(KAFKA_PROPERTIES_PREFIX)) {
                        properties.setProperty(k.substring(KAFKA_PROPERTIES_PREFIX.length()), v);
                    }
                });
        return properties;
    }

    /**
     * The dead-letter topic's producer properties ({@link DeadLetterOptions}), falling back to this
     * source's Kafka cluster and its {@code source.kafka.*} properties.
     */
    public static Map<String, String> deadLetterProducerProperties(Configuration config) {
        return DeadLetterOptions.producerProperties(
                config, KAFKA_PROPERTIES_PREFIX, BOOTSTRAP_SERVERS);
    }
}
