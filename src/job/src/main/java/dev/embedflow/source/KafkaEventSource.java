package dev.embedflow.source;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's KafkaSource and watermark strategy, built from {@link SourceOptions}. */
@PublicEvolving
public final class KafkaEventSource {

    /** The connector's property that switches its offset commits on checkpoints. */
    static final String COMMIT_ON_CHECKPOINT = "commit.offsets.on.checkpoint";

    private KafkaEventSource() {}

    /**
     * A KafkaSource that emits every record as a {@link SourceRecord} (event or dead letter) and
     * commits offsets on checkpoints.
     *
     * @param boundedRun where a bounded run stops ({@link BoundedRun#resolve}): present with {@code
     *     source.bounded}, empty without
     * @throws IllegalArgumentException naming the key of a bad setting
     */
    public static KafkaSource<SourceRecord> fromConfiguration(
            Configuration config, Optional<BoundedRun> boundedRun) {
        SourceOptions.validateConnection(config);
        boolean bounded = config.get(SourceOptions.BOUNDED);
        if (bounded != boundedRun.isPresent()) {
            throw new IllegalArgumentException(
                    bounded
                            ? SourceOptions.BOUNDED.key()
                                    + " is set, but the run's stopping offsets were not resolved"
                            : "stopping offsets given, but "
                                    + SourceOptions.BOUNDED.key()
                                    + " is not set");
        }
        KafkaSourceBuilder<SourceRecord> builder =
                KafkaSource.<SourceRecord>builder()
                        .setBootstrapServers(config.get(SourceOptions.BOOTSTRAP_SERVERS))
                        .setGroupId(config.get(SourceOptions.GROUP_ID))
                        .setDeserializer(
                                new EventDeserializationSchema(SourceOptions.eventFormat(config)))
                        .setStartingOffsets(startingOffsets(config));
        config.getOptional(SourceOptions.TOPICS)
                .filter(topics -> !topics.isEmpty())
                .ifPresentOrElse(
                        builder::setTopics,
                        () ->
                                builder.setTopicPattern(
                                        Pattern.compile(config.get(SourceOptions.TOPIC_PATTERN))));
        boundedRun.ifPresent(run -> builder.setBounded(run.stoppingOffsetsInitializer()));
        builder.setProperties(consumerProperties(config));
        return builder.build();
    }

    /**
     * The source's Kafka consumer properties: {@code source.kafka.*}, with offsets committed on
     * checkpoints, {@code read_committed} and the group id as client id prefix unless set there.
     */
    static Properties consumerProperties(Configuration config) {
        Properties properties = SourceOptions.kafkaProperties(config);
        properties.putIfAbsent(COMMIT_ON_CHECKPOINT, "true");
        properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.putIfAbsent("client.id.prefix", config.get(SourceOptions.GROUP_ID));
        return properties;
    }

    private static OffsetsInitializer startingOffsets(Configuration config) {
        return switch (config.get(SourceOptions.STARTING_OFFSETS)) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case TIMESTAMP -> OffsetsInitializer.timestamp(SourceOptions.startingTimestamp(config));
        };
    }

    /**
     * Event-time watermarks trailing the newest event time by {@code source.max-out-of-orderness},
     * with idle partitions ignored after {@code source.idleness}. Dead letters carry no event time
     * and count for neither: a partition that only carries records the job cannot parse goes idle
     * like an empty one, instead of holding every window back.
     */
    public static WatermarkStrategy<SourceRecord> watermarks(Configuration config) {
        Duration outOfOrderness = config.get(SourceOptions.MAX_OUT_OF_ORDERNESS);
        Duration idleness = config.get(SourceOptions.IDLENESS);
        return WatermarkStrategy.<SourceRecord>forGenerator(
                        context ->
                                new EventsOnly(
                                        new WatermarksWithIdleness<>(
                                                new BoundedOutOfOrdernessWatermarks<>(
                                                        outOfOrderness),
                                                idleness,
                                                context.getInputActivityClock())))
                .withTimestampAssigner(eventTime());
    }

    /** Hands only events (not dead letters) to the watermark generator it wraps. */
    static final class EventsOnly implements WatermarkGenerator<SourceRecord> {
        private final WatermarkGenerator<SourceRecord> events;

        EventsOnly(WatermarkGenerator<SourceRecord> events) {
            this.events = events;
        }

        @Override
        public void onEvent(SourceRecord record, long timestamp, WatermarkOutput output) {
            if (record.isEvent()) {
                events.onEvent(record, timestamp, output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            events.onPeriodicEmit(output);
        }
    }

    private static SerializableTimestampAssigner<SourceRecord> eventTime() {
        return (record, kafkaTimestamp) ->
                record.isEvent() ? record.getEvent().getEventTime() : Long.MIN_VALUE;
    }
}
