package dev.embedflow.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a bounded run ({@code source.bounded}) stops, and the commit of those offsets to the
 * consumer group once the run has finished.
 *
 * <p>The offsets are taken once, before the job starts: the end of every partition of the source's
 * topics, as a consumer with the source's isolation level sees it (the last stable offset under
 * {@code read_committed}, so an open transaction's records wait for the next run). The source stops
 * there, and a run that finished has read everything before them.
 *
 * <p>The Kafka connector commits the offsets of each completed checkpoint, asynchronously and on a
 * best-effort basis: the commit of a bounded run's last checkpoint races the source's shutdown and
 * can be lost, and the next run from {@code COMMITTED} offsets would then read the whole run again.
 * {@link #commit} closes that gap: after the job has finished, it moves the group's offsets to
 * where the run stopped, never backwards.
 */
@PublicEvolving
public final class BoundedRun {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedRun.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Comparator<TopicPartition> BY_TOPIC_AND_PARTITION =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final Map<TopicPartition, Long> stoppingOffsets;

    private BoundedRun(Map<TopicPartition, Long> stoppingOffsets) {
        this.stoppingOffsets = Map.copyOf(stoppingOffsets);
    }

    /**
     * The end offsets of every partition of the source's topics ({@code source.topics}, or the
     * topics {@code source.topic-pattern} matches now).
     *
     * @throws IllegalStateException if Kafka cannot be asked, or a listed topic does not exist
     */
    public static BoundedRun resolve(Configuration config) {
        SourceOptions.validateConnection(config);
        IsolationLevel isolation = isolationLevel(KafkaEventSource.consumerProperties(config));
        try (Admin admin = Admin.create(adminProperties(config))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            List<String> missing = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<TopicDescription>> topic :
                    admin.describeTopics(topics(admin, config)).topicNameValues().entrySet()) {
                try {
                    await(topic.getValue())
                            .partitions()
                            .forEach(
                                    p ->
                                            latest.put(
                                                    new TopicPartition(
                                                            topic.getKey(), p.partition()),
                                                    OffsetSpec.latest()));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    missing.add(topic.getKey());
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException(
                        "cannot find where the bounded run stops (source.bounded): no topic "
                                + String.join(", ", missing));
            }
            Map<TopicPartition, Long> offsets = new HashMap<>();
            await(admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all())
                    .forEach((partition, info) -> offsets.put(partition, info.offset()));
            return new BoundedRun(offsets);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot find where the bounded run stops (source.bounded): "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** The offset each partition is read up to (exclusive). */
    public Map<TopicPartition, Long> stoppingOffsets() {
        return stoppingOffsets;
    }

    /** The source's stopping offsets. */
    OffsetsInitializer stoppingOffsetsInitializer() {
        return OffsetsInitializer.offsets(stoppingOffsets);
    }

    /**
     * Commits the stopping offsets to the source's consumer group where its committed offset is
     * behind them or missing. Call only once the job has finished: a run that failed or was
     * cancelled has not read up to them. Nothing is committed where the source's commits are
     * switched off ({@code source.kafka.commit.offsets.on.checkpoint: false}).
     *
     * @return the partitions whose offsets moved
     */
    public Map<TopicPartition, Long> commit(Configuration config) {
        String group = config.get(SourceOptions.GROUP_ID);
        if (!Boolean.parseBoolean(
                KafkaEventSource.consumerProperties(config)
                        .getProperty(KafkaEventSource.COMMIT_ON_CHECKPOINT))) {
            LOG.info(
                    "Bounded run finished; its offsets are not committed to consumer group {}"
                            + " (source.kafka.{} is false)",
                    group,
                    KafkaEventSource.COMMIT_ON_CHECKPOINT);
            return Map.of();
        }
        try (Admin admin = Admin.create(adminProperties(config))) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
            Map<TopicPartition, Long> moved = new TreeMap<>(BY_TOPIC_AND_PARTITION);
            stoppingOffsets.forEach(
                    (partition, offset) -> {
                        OffsetAndMetadata current = committed.get(partition);
                        if (current == null || current.offset() < offset) {
                            moved.put(partition, offset);
                        }
                    });
            if (!moved.isEmpty()) {
                Map<TopicPartition, OffsetAndMetadata> forward = new HashMap<>();
                moved.forEach(
                        (partition, offset) ->
                                forward.put(partition, new OffsetAndMetadata(offset)));
                await(admin.alterConsumerGroupOffsets(group, forward).all());
            }
            LOG.info(
                    "Bounded run finished: consumer group {} at its stopping offsets ({} of {}"
                            + " partitions moved{})",
                    group,
                    moved.size(),
                    stoppingOffsets.size(),
                    moved.isEmpty() ? "" : ": " + moved);
            return moved;
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the bounded run finished, but its offsets could not be committed to consumer"
                            + " group "
                            + group
                            + " (the next run from COMMITTED offsets starts where the group's"
                            + " last commit left it): "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    @Override
    public String toString() {
        Map<TopicPartition, Long> sorted = new TreeMap<>(BY_TOPIC_AND_PARTITION);
        sorted.putAll(stoppingOffsets);
        return "BoundedRun" + sorted;
    }

    private static Collection<String> topics(Admin admin, Configuration config)
            throws ExecutionException {
        List<String> listed = config.getOptional(SourceOptions.TOPICS).orElse(List.of());
        if (!listed.isEmpty()) {
            return listed;
        }
        Pattern pattern = Pattern.compile(config.get(SourceOptions.TOPIC_PATTERN));
        return await(admin.listTopics().names()).stream()
                .filter(topic -> pattern.matcher(topic).matches())
                .toList();
    }

    private static IsolationLevel isolationLevel(Properties consumer) {
        String level = consumer.getProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
        try {
            return IsolationLevel.valueOf(level.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    SourceOptions.KAFKA_PROPERTIES_PREFIX
                            + ConsumerConfig.ISOLATION_LEVEL_CONFIG
                            + " is '"
                            + level
                            + "': read_committed or read_uncommitted",
                    e);
        }
    }

    private static Map<String, Object> adminProperties(Configuration config) {
        Map<String, Object> properties = new HashMap<>();
        SourceOptions.kafkaProperties(config)
                .forEach(
                        (key, value) -> {
                            if (AdminClientConfig.configNames().contains((String) key)) {
                                properties.put((String) key, value);
                            }
                        });
        properties.put(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.get(SourceOptions.BOOTSTRAP_SERVERS));
        properties.put(
                AdminClientConfig.CLIENT_ID_CONFIG,
                config.get(SourceOptions.GROUP_ID) + "-bounded-run");
        return properties;
    }

    private static <T> T await(KafkaFuture<T> future) throws ExecutionException {
        try {
            return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Kafka", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka did not answer within " + TIMEOUT.toSeconds() + " s", e);
        }
    }
}
