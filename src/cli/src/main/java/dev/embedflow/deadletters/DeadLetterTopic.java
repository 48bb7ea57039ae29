package dev.embedflow.deadletters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.deadletter.Origin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The streaming job's dead-letter topic, read and redriven by {@code embedflow dead-letters}.
 *
 * <p>Reading takes everything on the topic up to its end when the command starts (no consumer
 * group, nothing committed). Redriving fetches each selected dead letter's original records from
 * their source topics by their coordinates (the original key, value and headers; the copy is
 * timestamped now, so that retention counts from the redrive) and publishes copies to the source
 * topic (or another) with {@value #REDRIVE_COUNT} one higher than the original's; a record already
 * redriven {@code maxRedrives} times is not sent again. With the copies, in the same Kafka
 * transaction, a marker keyed by the dead letter's location goes to {@code <topic>.redriven}
 * (compacted), so a dead letter is redriven once however often the command runs; a crash in between
 * leaves neither.
 */
public final class DeadLetterTopic implements AutoCloseable {

    /** How many times the record was redriven (a copy of a copy of ... the original). */
    public static final String REDRIVE_COUNT = "embedflow.redrive-count";

    /** The dead letter a redriven copy came from ({@code topic-partition@offset}). */
    public static final String REDRIVE_OF = "embedflow.redrive-of";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final Map<String, Object> clientProperties;
    private final KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param topic the dead-letter topic
     * @param clientProperties Kafka client properties, at least {@code bootstrap.servers} (security
     *     settings as the job has them)
     */
    public DeadLetterTopic(String topic, Map<String, String> clientProperties) {
        this.topic = topic;
        this.clientProperties = new HashMap<>(clientProperties);
        Map<String, Object> props = new HashMap<>(this.clientProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "embedflow-dead-letters");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The topic of the markers of redriven dead letters. */
    public String markerTopic() {
        return topic + ".redriven";
    }

    /** Every dead letter on the topic now, in partition and offset order. */
    public List<StoredDeadLetter> readAll() {
        List<StoredDeadLetter> letters = new ArrayList<>();
        readToEnd(topic, record -> letters.add(StoredDeadLetter.fromKafka(record)));
        return letters;
    }

    /** The dead letters already redriven: location to when. */
    public Map<String, Instant> redriven() {
        Map<String, Instant> markers = new LinkedHashMap<>();
        readToEnd(
                markerTopic(),
                record -> {
                    if (record.key() == null) {
                        return;
                    }
                    String location = new String(record.key(), StandardCharsets.UTF_8);
                    if (record.value() == null) {
                        markers.remove(location);
                    } else {
                        markers.put(location, Instant.ofEpochMilli(record.timestamp()));
                    }
                });
        return markers;
    }

    /**
     * What redriving {@code letters} would send (nothing is sent): for each, the copies of its
     * original records, or why it cannot go.
     */
    public List<Plan> plan(Collection<StoredDeadLetter> letters, String target, int maxRedrives) {
        Map<String, Instant> done = redriven();
        List<Plan> plans = new ArrayList<>();
        for (StoredDeadLetter letter : letters) {
            plans.add(plan(letter, done, target, maxRedrives));
        }
        return plans;
    }

    private Plan plan(
            StoredDeadLetter letter, Map<String, Instant> done, String target, int maxRedrives) {
        if (done.containsKey(letter.location())) {
            return Plan.skipped(letter, "redriven already, at " + done.get(letter.location()));
        }
        List<Origin> origins = letter.kafkaOrigins();
        if (origins.isEmpty()) {
            return Plan.skipped(
                    letter,
                    "no Kafka origin to fetch (a batch or document-level dead letter): run the"
                            + " batch job again over the fixed input instead");
        }
        List<ProducerRecord<byte[], byte[]>> copies = new ArrayList<>();
        int highest = 0;
        for (Origin origin : origins) {
            Optional<ConsumerRecord<byte[], byte[]>> original = fetch(origin);
            if (original.isEmpty()) {
                return Plan.skipped(
                        letter,
                        "its record "
                                + origin
                                + " is no longer on the topic (past retention or compacted)");
            }
            int count = redriveCount(original.get());
            if (count >= maxRedrives) {
                return Plan.skipped(
                        letter,
                        origin
                                + " was redriven "
                                + count
                                + " times already (--max-redrives "
                                + maxRedrives
                                + ")");
            }
            highest = Math.max(highest, count + 1);
            copies.add(copy(original.get(), target, count + 1, letter.location()));
        }
        return new Plan(letter, copies, highest, null);
    }

    /**
     * Sends the copies of every plan that can go, with its marker, in one transaction.
     *
     * @return the number of dead letters redriven
     */
    public int redrive(List<Plan> plans) {
        List<Plan> going = plans.stream().filter(Plan::goes).toList();
        if (going.isEmpty()) {
            return 0;
        }
        ensureMarkerTopic();
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedflow-redrive-" + topic);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "embedflow-redrive");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            try {
                for (Plan plan : going) {
                    plan.copies().forEach(producer::send);
                    producer.send(marker(plan));
                }
                producer.commitTransaction();
            } catch (RuntimeException e) {
                producer.abortTransaction();
                throw e;
            }
        }
        return going.size();
    }

    private ProducerRecord<byte[], byte[]> marker(Plan plan) {
        ObjectNode value = JSON.createObjectNode();
        value.put("redrive_count", plan.redriveCount());
        value.putArray("to")
                .addAll(
                        plan.copies().stream()
                                .map(c -> JSON.getNodeFactory().textNode(c.topic()))
                                .toList());
        return new ProducerRecord<>(
                markerTopic(),
                plan.letter().location().getBytes(StandardCharsets.UTF_8),
                value.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static ProducerRecord<byte[], byte[]> copy(
            ConsumerRecord<byte[], byte[]> original, String target, int count, String location) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : original.headers()) {
            if (!h.key().equals(REDRIVE_COUNT) && !h.key().equals(REDRIVE_OF)) {
                headers.add(h);
            }
        }
        headers.add(REDRIVE_COUNT, String.valueOf(count).getBytes(StandardCharsets.UTF_8));
        headers.add(REDRIVE_OF, location.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(
                target == null ? original.topic() : target,
                null,
                null, // now: retention counts from the copy, not from the original
                original.key(),
                original.value(),
                headers);
    }

    /** The redrive count a record carries (0 for an original). */
    public static int redriveCount(ConsumerRecord<byte[], byte[]> record) {
        String value = StoredDeadLetter.header(record, REDRIVE_COUNT);
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Optional<ConsumerRecord<byte[], byte[]>> fetch(Origin origin) {
        TopicPartition tp = new TopicPartition(origin.topic(), origin.partition());
        consumer.assign(List.of(tp));
        long begin = consumer.beginningOffsets(List.of(tp), TIMEOUT).getOrDefault(tp, 0L);
        long end = consumer.endOffsets(List.of(tp), TIMEOUT).getOrDefault(tp, 0L);
        if (origin.offset() < begin || origin.offset() >= end) {
            return Optional.empty();
        }
        consumer.seek(tp, origin.offset());
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (consumer.position(tp) <= origin.offset() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() == origin.offset()) {
                    return Optional.of(record);
                }
                if (record.offset() > origin.offset()) {
                    return Optional.empty(); // compacted away
                }
            }
        }
        return Optional.empty();
    }

    private void readToEnd(String name, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        List<PartitionInfo> partitions = consumer.partitionsFor(name, TIMEOUT);
        if (partitions == null || partitions.isEmpty()) {
            return;
        }
        List<TopicPartition> tps =
                partitions.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .sorted(Comparator.comparingInt(TopicPartition::partition))
                        .toList();
        Map<TopicPartition, Long> end = consumer.endOffsets(tps, TIMEOUT);
        for (TopicPartition tp : tps) {
            long last = end.getOrDefault(tp, 0L);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp, TIMEOUT) < last) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "reading " + tp + " took longer than " + TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() < last) {
                        sink.accept(record);
                    }
                }
            }
        }
    }

    private void ensureMarkerTopic() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        try (Admin admin = Admin.create(props)) {
            NewTopic markers =
                    new NewTopic(markerTopic(), Optional.of(1), Optional.empty())
                            .configs(
                                    Map.of(
                                            TopicConfig.CLEANUP_POLICY_CONFIG,
                                            TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(Set.of(markers)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create " + markerTopic() + ": " + e.getCause().getMessage(),
                        e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + markerTopic(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating " + markerTopic(), e);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }

    /**
     * What a redrive of one dead letter sends, or why it does not.
     *
     * @param letter the dead letter
     * @param copies the records to send (empty when skipped)
     * @param redriveCount the redrive count the copies carry
     * @param skipped why it is not redriven, or null
     */
    public record Plan(
            StoredDeadLetter letter,
            List<ProducerRecord<byte[], byte[]>> copies,
            int redriveCount,
            String skipped) {

        static Plan skipped(StoredDeadLetter letter, String why) {
            return new Plan(letter, List.of(), 0, why);
        }

        public boolean goes() {
            return skipped == null;
        }
    }
}
