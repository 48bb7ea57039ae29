package dev.embedflow.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.devserver.FlinkCluster;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.model.Embedding;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.TruncationPolicy;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.stream.StreamingJob;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestDirs;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job on a real Flink standalone cluster (JobManager and TaskManager in their own
 * JVMs, the job jar submitted through the REST API, RocksDB state, file checkpoints every 2 s),
 * reading a real Kafka broker and writing a real OpenSearch node, through five faults: the
 * TaskManager killed three times, OpenSearch stopped, the embedding service failing 30% of its
 * requests, malformed records mixed in, and a stop with savepoint and a restart with another
 * parallelism. After each: every expected document present with the right text and vector, none
 * missing, extra or stale, every malformed record on the dead-letter topic with its reason and
 * coordinates, and the consumer group caught up. The figures go to {@code
 * target/fault-tolerance.md}, and with {@code -Dembedflow.docs.update=true} to {@code
 * docs/fault-tolerance.md}.
 *
 * <p>Size: {@value #CI_EVENTS} events per scenario and 30 s outages, or {@code
 * -Dembedflow.faults.events=100000} and 60 s outages (the full size); {@code
 * embedflow.faults.outage-seconds} sets the outages.
 */
@ExtendWith({KafkaExtension.class, OpenSearchExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultToleranceITCase {

    private static final Logger LOG = LoggerFactory.getLogger(FaultToleranceITCase.class);

    static final int CI_EVENTS = 10_000;
    static final int FULL_EVENTS = 100_000;
    static final int EVENTS = Integer.getInteger("embedflow.faults.events", CI_EVENTS);
    static final String SIZE = EVENTS >= FULL_EVENTS ? "full" : "ci";

    /** 60 s as the issue asks at full size; 30 s at CI size, to keep the suite short. */
    static final Duration OUTAGE =
            Duration.ofSeconds(
                    Long.getLong("embedflow.faults.outage-seconds", SIZE.equals("full") ? 60 : 30));

    /** The real model embeds ~160 texts/s on 2 cores: it runs in the CI-size savepoint scenario. */
    static final boolean REAL_MODEL =
            Boolean.parseBoolean(
                    System.getProperty(
                            "embedflow.faults.real-model", String.valueOf(EVENTS <= 20_000)));

    private static final int PARTITIONS = 4;
    private static final Duration CATCH_UP =
            Duration.ofSeconds(Math.max(300, EVENTS / 50L + OUTAGE.toSeconds()));
    private static final List<FaultReport.Row> ROWS =
            Collections.synchronizedList(new ArrayList<>());

    private static FlinkCluster cluster;
    private static String jarId;
    private static StandInEmbeddings standIn;
    private static KafkaState kafka;
    private static long suiteStarted;

    @BeforeAll
    static void startCluster(KafkaBroker broker) throws Exception {
        suiteStarted = System.nanoTime();
        cluster =
                FlinkCluster.builder()
                        .workDir(TestDirs.workDir().resolve("flink-cluster"))
                        .libDir(Path.of(System.getProperty("embedflow.lib.dir", "target/lib")))
                        .slots(2)
                        .checkpointInterval(Duration.ofSeconds(2))
                        .build()
                        .start(1);
        jarId = cluster.uploadJar(Path.of(System.getProperty("embedflow.job.jar")));
        standIn = StandInEmbeddings.start();
        kafka = new KafkaState(broker.bootstrapServers());
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (!ROWS.isEmpty()) {
                writeReport();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            if (standIn != null) {
                standIn.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    @Order(1)
    void taskManagerKilledThreeTimes(
            KafkaBroker broker, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Scenario s =
                new Scenario(
                        "TaskManager killed (kill -9) 3 times", broker, node, index, EVENTS, 0);
        List<Duration> recoveries = new ArrayList<>();
        try {
            s.submit(standIn.baseUri(), StandInEmbeddings.MODEL, 2, null);
            s.sendUpTo(0.25);
            s.awaitProgressBeyond(0, CATCH_UP);
            // Each kill comes as soon as the job has made progress (after its start, then after
            // each recovery); the next quarter of the events arrives while the TaskManager is down.
            for (int kill = 1; kill <= 3; kill++) {
                Instant killed = Instant.now();
                cluster.killTaskManager();
                long committedAtFault = s.committed();
                s.sendUpTo(0.25 * (kill + 1));
                cluster.startTaskManager();
                recoveries.add(
                        Duration.between(
                                killed, s.awaitProgressBeyond(committedAtFault, CATCH_UP)));
            }
            Duration worst = recoveries.stream().max(Duration::compareTo).orElseThrow();
            s.check(
                    FaultReport.seconds(worst),
                    "recoveries "
                            + recoveries.stream().map(FaultReport::seconds).toList()
                            + "; "
                            + cluster.restoredCheckpoints(s.jobId)
                            + " restores from checkpoints",
                    FaultToleranceITCase::standInVector);
        } finally {
            s.cancel();
        }
    }

    @Test
    @Order(2)
    void openSearchStoppedAndStartedAgain(
            KafkaBroker broker, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Scenario s =
                new Scenario(
                        "OpenSearch stopped " + OUTAGE.toSeconds() + " s",
                        broker,
                        node,
                        index,
                        EVENTS,
                        0);
        try {
            s.submit(standIn.baseUri(), StandInEmbeddings.MODEL, 2, null);
            s.sendUpTo(0.5);
            s.awaitProgressBeyond(0, CATCH_UP);
            Instant stopped = Instant.now();
            node.stop();
            s.sendOver(0.75, stopped.plus(OUTAGE));
            Instant starting = Instant.now();
            node.start();
            Instant back = Instant.now();
            long committedAtFault = s.committed();
            s.sendUpTo(1.0);
            Duration recovery =
                    Duration.between(back, s.awaitProgressBeyond(committedAtFault, CATCH_UP));
            s.check(
                    FaultReport.seconds(recovery),
                    "down "
                            + FaultReport.seconds(Duration.between(stopped, back))
                            + " (of which "
                            + FaultReport.seconds(Duration.between(starting, back))
                            + " starting up)",
                    FaultToleranceITCase::standInVector);
        } finally {
            if (!node.isRunning()) {
                node.start();
            }
            s.cancel();
        }
    }

    @Test
    @Order(3)
    void embeddingServiceFailingForAMinute(
            KafkaBroker broker, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Scenario s =
                new Scenario(
                        "embedding service: 30% 429 / 500 / hangs for " + OUTAGE.toSeconds() + " s",
                        broker,
                        node,
                        index,
                        EVENTS,
                        0);
        try {
            s.submit(standIn.baseUri(), StandInEmbeddings.MODEL, 2, null);
            s.sendUpTo(1.0 / 3);
            s.awaitProgressBeyond(0, CATCH_UP);
            Instant failing = Instant.now();
            standIn.failing(true);
            s.sendOver(2.0 / 3, failing.plus(OUTAGE));
            standIn.failing(false);
            Instant healthy = Instant.now();
            long committedAtFault = s.committed();
            s.sendUpTo(1.0);
            Duration recovery =
                    Duration.between(healthy, s.awaitProgressBeyond(committedAtFault, CATCH_UP));
            s.check(
                    FaultReport.seconds(recovery),
                    "injected 429 / 500 / hang: " + standIn.injected(),
                    FaultToleranceITCase::standInVector);
        } finally {
            standIn.failing(false);
            s.cancel();
        }
    }

    @Test
    @Order(4)
    void malformedRecordsMixedIn(KafkaBroker broker, OpenSearchNode node, OpenSearchTestIndex index)
            throws Exception {
        Scenario s =
                new Scenario(
                        "malformed records mixed in", broker, node, index, EVENTS, EVENTS / 10);
        try {
            s.submit(standIn.baseUri(), StandInEmbeddings.MODEL, 2, null);
            s.sendUpTo(1.0);
            s.check(
                    "-",
                    "bad JSON, missing subject or time, wrong types, arrays, invalid UTF-8, "
                            + (EVENTS / 10 / 50)
                            + " payloads of 100 KiB over a 64 KiB limit",
                    FaultToleranceITCase::standInVector);
        } finally {
            s.cancel();
        }
    }

    @Test
    @Order(5)
    void stopWithSavepointAndRestartWithAnotherParallelism(
            KafkaBroker broker, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Scenario s =
                new Scenario(
                        "stop with savepoint, restart at parallelism 1 (was 2)",
                        broker,
                        node,
                        index,
                        EVENTS,
                        0);
        LocalEmbeddingModel model = REAL_MODEL ? LocalEmbeddingModel.acquireShared() : null;
        EmbeddingServer server =
                model == null ? null : EmbeddingServer.builder(model).port(0).build().start();
        try {
            URI base = server == null ? standIn.baseUri() : server.baseUri();
            String modelName =
                    model == null ? StandInEmbeddings.MODEL : LocalEmbeddingModel.MODEL_ID;
            s.submit(base, modelName, 2, null);
            s.sendUpTo(0.5);
            s.awaitProgressBeyond(0, CATCH_UP);
            Instant stopping = Instant.now();
            String savepoint = cluster.stopWithSavepoint(s.jobId, Duration.ofMinutes(5));
            long committedAtFault = s.committed();
            s.sendUpTo(0.75);
            s.submit(base, modelName, 1, savepoint);
            s.sendUpTo(1.0);
            Duration recovery =
                    Duration.between(stopping, s.awaitProgressBeyond(committedAtFault, CATCH_UP));
            s.check(
                    FaultReport.seconds(recovery),
                    (model == null
                                    ? "stand-in embeddings"
                                    : "the real model all-MiniLM-L6-v2 behind the embedding server")
                            + "; recovery counted from the stop request",
                    model == null ? FaultToleranceITCase::standInVector : realVectors(model));
        } finally {
            s.cancel();
            if (server != null) {
                server.close();
            }
            if (model != null) {
                model.close();
            }
        }
    }

    /** The stand-in's vectors for {@code texts}. */
    private static List<float[]> standInVector(List<String> texts) {
        return texts.stream()
                .map(text -> EmbeddingStubs.vectorFor(text, StandInEmbeddings.DIMENSIONS))
                .toList();
    }

    /** The real model's vectors of texts, embedded again here. */
    private static Function<List<String>, List<float[]>> realVectors(LocalEmbeddingModel model) {
        return texts -> {
            try {
                return model
                        .embedAsync(texts, TruncationPolicy.REJECT)
                        .get(5, TimeUnit.MINUTES)
                        .stream()
                        .map(Embedding::vector)
                        .toList();
            } catch (Exception e) {
                throw new IllegalStateException("Could not embed " + texts.size() + " texts", e);
            }
        };
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static void writeReport() {
        Duration took = Duration.ofNanos(System.nanoTime() - suiteStarted);
        String body =
                FaultReport.heading(SIZE, EVENTS, OUTAGE, took)
                        + "\n\n"
                        + FaultReport.table(List.copyOf(ROWS));
        LOG.info("Fault tolerance figures:\n{}", body);
        // The run's own report; docs/fault-tolerance.md only on request (verify leaves docs alone).
        FaultReport.write(Path.of("target", "fault-tolerance.md"), SIZE, body);
        if (Boolean.getBoolean("embedflow.docs.update")) {
            FaultReport.write(TestDirs.project("docs/fault-tolerance.md"), SIZE, body);
        }
    }

    /** One scenario: its topics, index, job and inputs, and the checks at its end. */
    private static final class Scenario {
        final String name;
        final FaultEvents events;
        final String topic;
        final String deadLetterTopic;
        final String group;
        final String alias;
        final OpenSearchNode node;
        final KafkaBroker broker;
        final List<KafkaState.Coordinates> landed = new ArrayList<>();
        String jobId;
        int sent;

        Scenario(
                String name,
                KafkaBroker broker,
                OpenSearchNode node,
                OpenSearchTestIndex index,
                int events,
                int malformed) {
            this.name = name;
            this.broker = broker;
            this.node = node;
            this.events = FaultEvents.generate(events, malformed, name.hashCode());
            this.topic = KafkaExtension.createTopic(broker, "faults", PARTITIONS);
            this.deadLetterTopic = KafkaExtension.createTopic(broker, "faults-dead-letters", 1);
            this.group = "faults-" + UUID.randomUUID().toString().substring(0, 8);
            this.alias = index.name();
        }

        /** Submits the job through the REST API and waits until all its tasks run. */
        void submit(URI embeddingBase, String model, int parallelism, String savepoint) {
            boolean standInService = StandInEmbeddings.MODEL.equals(model);
            List<String> args = new ArrayList<>();
            if (standInService) {
                // The stand-in answers at once: 5 s without an answer is a hang.
                args.add("-Dembedding.timeout.request=5 s");
            } else {
                // The real model embeds ~160 texts/s: batches of 64 answer well within the
                // default 30 s request timeout even on a loaded machine.
                args.add("-Dembedding.batch.max-texts=64");
            }
            args.addAll(
                    List.of(
                            "-Dembedflow.job-name=faults " + name,
                            "-Dsource.bootstrap-servers=" + broker.bootstrapServers(),
                            "-Dsource.topics=" + topic,
                            "-Dsource.group-id=" + group,
                            "-Dsource.starting-offsets=EARLIEST",
                            "-Dsource.max-record-size=" + FaultEvents.MAX_RECORD_SIZE,
                            "-Dsource.delete-event-types=" + FaultEvents.DELETED,
                            "-Dwindow.mode=NONE",
                            "-Dwindow.id-mode=LATEST",
                            "-Dwindow.template=" + FaultEvents.TEMPLATE,
                            "-Dembedding.provider=openai",
                            "-Dembedding.base-url=" + embeddingBase,
                            "-Dembedding.model=" + model,
                            "-Dembedding.retry.max-attempts=20",
                            "-Dembedding.retry.max-duration=5 min",
                            "-Dopensearch.hosts=" + node.httpUri(),
                            "-Dopensearch.index.base-name=" + alias + "-base",
                            "-Dopensearch.index.alias=" + alias,
                            "-Dopensearch.index.replicas=0",
                            "-Ddead-letter.topic=" + deadLetterTopic));
            jobId =
                    cluster.runJar(
                            jarId, StreamingJob.class.getName(), args, parallelism, savepoint);
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!fullyRunning()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "job " + jobId + " is not running: " + cluster.jobState(jobId));
                }
                pause(250);
            }
            LOG.info("{}: job {} running at parallelism {}", name, jobId, parallelism);
        }

        /** Sends the inputs up to {@code fraction} of all. */
        void sendUpTo(double fraction) {
            int upTo = (int) Math.round(events.inputs().size() * Math.min(1.0, fraction));
            if (upTo > sent) {
                landed.addAll(kafka.send(topic, events.inputs().subList(sent, upTo)));
                sent = upTo;
            }
        }

        /**
         * Sends the inputs up to {@code fraction} of all in steady steps, one every second, until
         * {@code until}: events keep arriving for the whole of a fault.
         */
        void sendOver(double fraction, Instant until) throws InterruptedException {
            int from = sent;
            int upTo = (int) Math.round(events.inputs().size() * Math.min(1.0, fraction));
            long steps = Math.max(1, Duration.between(Instant.now(), until).toSeconds());
            for (long step = 1; step <= steps; step++) {
                int target = (int) (from + (upTo - from) * step / steps);
                if (target > sent) {
                    landed.addAll(kafka.send(topic, events.inputs().subList(sent, target)));
                    sent = target;
                }
                sleepUntil(
                        Instant.now().plusSeconds(1).isAfter(until)
                                ? until
                                : Instant.now().plusSeconds(1));
            }
            sendUpTo(fraction);
            sleepUntil(until);
        }

        long committed() {
            return kafka.committedTotal(group, topic);
        }

        /**
         * Waits until the job runs every task and the group's committed offsets have moved past
         * {@code committed}, and returns when.
         */
        Instant awaitProgressBeyond(long committed, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                if (committed() > committed && fullyRunning()) {
                    return Instant.now();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            name
                                    + ": no progress past offset total "
                                    + committed
                                    + " in "
                                    + timeout);
                }
                pause(100);
            }
        }

        /**
         * Waits for the group to catch up and the index to settle, then compares everything with
         * the expectation, records the row and asserts.
         */
        void check(String recovery, String notes, Function<List<String>, List<float[]>> vectors)
                throws Exception {
            awaitCaughtUp();
            Map<String, String> expected = events.expected();
            Map<String, IndexContents.Document> found = Map.of();
            Set<String> lost = Set.of();
            Set<String> extra = Set.of();
            Set<String> wrongText = Set.of();
            long deadline = System.nanoTime() + CATCH_UP.toNanos();
            try (OpenSearchConnection connection = connect()) {
                // After the last offsets commit, what the async embedding stage still held at
                // that checkpoint reaches the index with the next one.
                while (true) {
                    found = IndexContents.read(connection, alias);
                    lost = difference(expected.keySet(), found.keySet());
                    extra = difference(found.keySet(), expected.keySet());
                    Map<String, IndexContents.Document> snapshot = found;
                    wrongText = new HashSet<>();
                    for (Map.Entry<String, String> e : expected.entrySet()) {
                        IndexContents.Document document = snapshot.get(e.getKey());
                        if (document != null && !document.text().equals(e.getValue())) {
                            wrongText.add(e.getKey());
                        }
                    }
                    if ((lost.isEmpty() && extra.isEmpty() && wrongText.isEmpty())
                            || System.nanoTime() > deadline) {
                        break;
                    }
                    pause(3000);
                }
            }
            Set<String> wrongVector = new HashSet<>();
            List<String> ids = new ArrayList<>();
            for (Map.Entry<String, IndexContents.Document> e : found.entrySet()) {
                if (e.getValue().text().equals(expected.get(e.getKey()))) {
                    ids.add(e.getKey());
                }
            }
            for (int from = 0; from < ids.size(); from += 64) {
                List<String> batch = ids.subList(from, Math.min(ids.size(), from + 64));
                List<float[]> want = vectors.apply(batch.stream().map(expected::get).toList());
                for (int i = 0; i < batch.size(); i++) {
                    if (!sameVector(want.get(i), found.get(batch.get(i)).vector())) {
                        wrongVector.add(batch.get(i));
                    }
                }
            }
            List<KafkaState.DeadLetterRecord> deadLetters = kafka.deadLetters(deadLetterTopic);
            Map<KafkaState.Coordinates, KafkaState.DeadLetterRecord> byOrigin = new HashMap<>();
            for (KafkaState.DeadLetterRecord letter : deadLetters) {
                if (topic.equals(letter.originTopic()) && letter.origin() != null) {
                    byOrigin.put(letter.origin(), letter);
                }
            }
            List<String> missingDeadLetters = new ArrayList<>();
            Set<KafkaState.Coordinates> malformedAt = new HashSet<>();
            for (int i = 0; i < events.inputs().size(); i++) {
                FaultEvents.Input input = events.inputs().get(i);
                if (!input.malformed()) {
                    continue;
                }
                KafkaState.Coordinates at = landed.get(i);
                malformedAt.add(at);
                KafkaState.DeadLetterRecord letter = byOrigin.get(at);
                if (letter == null
                        || letter.reason() == null
                        || !letter.reason().contains(input.expectedReason())
                        || !"SOURCE".equals(letter.stage())
                        || !Arrays.equals(letter.value(), input.value())) {
                    missingDeadLetters.add(
                            at
                                    + " ("
                                    + input.expectedReason()
                                    + "): "
                                    + (letter == null ? "absent" : letter.reason()));
                }
            }
            List<KafkaState.DeadLetterRecord> unexpected =
                    deadLetters.stream()
                            .filter(l -> l.origin() == null || !malformedAt.contains(l.origin()))
                            .toList();
            Map<Integer, Long> committed = kafka.committed(group, topic);
            Map<Integer, Long> ends = kafka.endOffsets(topic);

            ROWS.add(
                    new FaultReport.Row(
                            name,
                            events.events(),
                            events.malformed(),
                            expected.size(),
                            found.size(),
                            lost.size(),
                            extra.size(),
                            wrongText.size() + wrongVector.size(),
                            byOrigin.size(),
                            recovery,
                            notes));
            LOG.info(
                    "{}: expected {}, found {}, lost {}, extra {}, wrong text {}, wrong vector {},"
                            + " dead letters {} ({} distinct), recovery {}; {}",
                    name,
                    expected.size(),
                    found.size(),
                    lost.size(),
                    extra.size(),
                    wrongText.size(),
                    wrongVector.size(),
                    deadLetters.size(),
                    byOrigin.size(),
                    recovery,
                    notes);

            assertThat(lost).as("documents lost").isEmpty();
            assertThat(extra).as("documents that should not be there").isEmpty();
            assertThat(wrongText).as("documents with stale or wrong text").isEmpty();
            assertThat(wrongVector).as("documents with a wrong vector").isEmpty();
            assertThat(missingDeadLetters)
                    .as("malformed records without their dead letter, reason and coordinates")
                    .isEmpty();
            assertThat(unexpected).as("dead letters of valid events").isEmpty();
            assertThat(committed).as("the consumer group caught up").isEqualTo(ends);
        }

        void cancel() {
            if (jobId != null) {
                try {
                    if (!List.of("FINISHED", "CANCELED", "FAILED")
                            .contains(cluster.jobState(jobId))) {
                        cluster.cancel(jobId);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Could not cancel job {}", jobId, e);
                }
            }
        }

        private void awaitCaughtUp() {
            long deadline = System.nanoTime() + CATCH_UP.toNanos();
            Map<Integer, Long> ends = kafka.endOffsets(topic);
            while (!kafka.committed(group, topic).equals(ends)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            name
                                    + ": the consumer group did not catch up in "
                                    + CATCH_UP
                                    + ": committed "
                                    + kafka.committed(group, topic)
                                    + ", end offsets "
                                    + ends
                                    + ", job "
                                    + cluster.jobState(jobId));
                }
                pause(500);
            }
        }

        private boolean fullyRunning() {
            try {
                return cluster.isFullyRunning(jobId);
            } catch (RuntimeException e) {
                return false;
            }
        }

        private OpenSearchConnection connect() {
            Configuration config = new Configuration();
            config.setString("opensearch.hosts", node.httpUri().toString());
            return OpenSearchConnection.open(OpenSearchConnectionConfig.fromConfiguration(config));
        }
    }

    private static boolean sameVector(float[] expected, float[] actual) {
        return expected.length == actual.length
                && dev.embedflow.model.Embedding.cosine(expected, actual) > 0.9999;
    }

    private static <T> Set<T> difference(Set<T> a, Set<T> b) {
        Set<T> d = new HashSet<>(a);
        d.removeAll(b);
        return d;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
