package dev.embedflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.devserver.FlinkCluster;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import dev.embedflow.testing.TestDirs;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A savepoint taken by the job restores into the next version of the job after a field was added to
 * a state type: the real job jar runs on the standalone Flink cluster (RocksDB) with an open window
 * in its state, stops with a savepoint, and a copy of the jar whose {@code WindowState} has one
 * more field (compiled here from the real source) resumes from it, the window's earlier events
 * intact. Kafka and OpenSearch are the real servers; the embedding service is a stand-in over real
 * HTTP (vectors derived from the text).
 */
@ExtendWith({KafkaExtension.class, OpenSearchExtension.class})
class SavepointEvolutionITCase {

    private static final Instant DAY = Instant.parse("2026-03-01T00:00:00Z");
    private static final String STATE_TYPE = "dev/embedflow/window/WindowState";

    @Test
    void aSavepointRestoresAfterAFieldIsAddedToAStateType(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Path work = TestDirs.workDir().resolve("savepoint-evolution-" + UUID.randomUUID());
        Path v1 = Path.of(System.getProperty("embedflow.lean.job.jar"));
        Path v2 = withAddedField(v1, work);
        assertThat(classBytes(v2)).isNotEqualTo(classBytes(v1));

        String topic = KafkaExtension.createTopic(kafka, "events", 1);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        try (StubHttpServer embeddings =
                        StubHttpServer.startUnrecorded(
                                r -> {
                                    List<String> texts =
                                            EmbeddingStubs.texts(r.body().get("input"));
                                    return Reply.json(
                                            200,
                                            EmbeddingStubs.openAiResponse(texts, "stand-in", 8));
                                });
                FlinkCluster cluster =
                        FlinkCluster.builder()
                                .workDir(work.resolve("flink"))
                                .libDir(Path.of(System.getProperty("embedflow.lib.dir")))
                                .slots(1)
                                .checkpointInterval(Duration.ofSeconds(2))
                                .build()
                                .start(1);
                OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            List<String> args = args(kafka, node, index, topic, deadLetters, embeddings.baseUri());
            produce(kafka, topic, 0, 3);
            String first = run(cluster, cluster.uploadJar(v1), args, null);
            awaitEventCount(connection, index.name(), 3);

            String savepoint = cluster.stopWithSavepoint(first, Duration.ofMinutes(2));
            String second = run(cluster, cluster.uploadJar(v2), args, savepoint);
            produce(kafka, topic, 3, 2);

            JsonNode document = awaitEventCount(connection, index.name(), 5);
            assertThat(document.get("text").asText())
                    .as("the events from before the savepoint are still in the window")
                    .contains("step.0", "step.1", "step.2", "step.3", "step.4");
            assertThat(cluster.jobState(second)).isEqualTo("RUNNING");
            cluster.cancel(second);
        }
    }

    /** A copy of {@code jar} whose WindowState has one more field, compiled from its source. */
    private static Path withAddedField(Path jar, Path work) throws IOException {
        Path source = TestDirs.project("src/job/src/main/java/" + STATE_TYPE + ".java");
        String text = Files.readString(source);
        String anchor = "    /** For Flink's POJO serializer. */";
        assertThat(text).contains(anchor);
        String evolved =
                text.replace(
                        anchor,
                        "    private String addedLater = \"v2\";\n\n"
                                + "    public String getAddedLater() {\n"
                                + "        return addedLater;\n"
                                + "    }\n\n"
                                + "    public void setAddedLater(String addedLater) {\n"
                                + "        this.addedLater = addedLater;\n"
                                + "    }\n\n"
                                + anchor);
        Path sources = Files.createDirectories(work.resolve("v2-src/dev/embedflow/window"));
        Path evolvedSource = sources.resolve("WindowState.java");
        Files.writeString(evolvedSource, evolved);
        Path classes = Files.createDirectories(work.resolve("v2-classes"));
        List<String> classpath = new ArrayList<>();
        classpath.add(jar.toString());
        try (Stream<Path> lib = Files.list(Path.of(System.getProperty("embedflow.lib.dir")))) {
            lib.filter(p -> p.toString().endsWith(".jar"))
                    .forEach(p -> classpath.add(p.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status =
                javac.run(
                        null,
                        null,
                        null,
                        "--release",
                        "17",
                        "-classpath",
                        String.join(java.io.File.pathSeparator, classpath),
                        "-d",
                        classes.toString(),
                        evolvedSource.toString());
        assertThat(status).as("javac on the evolved WindowState").isZero();
        Path copy = work.resolve("embedflow-job-v2.jar");
        Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileSystem zip = FileSystems.newFileSystem(copy)) {
            Files.copy(
                    classes.resolve(STATE_TYPE + ".class"),
                    zip.getPath(STATE_TYPE + ".class"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }

    private static byte[] classBytes(Path jar) throws IOException {
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            return Files.readAllBytes(zip.getPath(STATE_TYPE + ".class"));
        }
    }

    private static List<String> args(
            KafkaBroker kafka,
            OpenSearchNode node,
            OpenSearchTestIndex index,
            String topic,
            String deadLetters,
            URI embeddings) {
        return List.of(
                "-Dembedflow.job-name=savepoint evolution",
                "-Dsource.bootstrap-servers=" + kafka.bootstrapServers(),
                "-Dsource.topics=" + topic,
                "-Dsource.group-id=evolution-" + UUID.randomUUID(),
                "-Dsource.starting-offsets=EARLIEST",
                "-Dwindow.mode=TUMBLING",
                "-Dwindow.size=1 d",
                "-Dwindow.update-interval=500 ms",
                "-Dembedding.provider=openai",
                "-Dembedding.base-url=" + embeddings,
                "-Dembedding.model=stand-in",
                "-Dopensearch.hosts=" + node.httpUri(),
                "-Dopensearch.index.base-name=" + index.name() + "-base",
                "-Dopensearch.index.alias=" + index.name(),
                "-Dopensearch.index.replicas=0",
                "-Ddead-letter.topic=" + deadLetters);
    }

    private static String run(
            FlinkCluster cluster, String jarId, List<String> args, String savepoint) {
        String job = cluster.runJar(jarId, StreamingJob.class.getName(), args, 1, savepoint);
        await("job " + job + " running", () -> cluster.isFullyRunning(job));
        return job;
    }

    /** Events {@code from} .. {@code from + count - 1} of customer-a, all on {@link #DAY}. */
    private static void produce(KafkaBroker kafka, String topic, int from, int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            Instant time = DAY.plus(Duration.ofHours(10).plusMinutes(i));
            String json =
                    "{\"specversion\":\"1.0\",\"id\":\"a-"
                            + i
                            + "\",\"type\":\"step."
                            + i
                            + "\",\"subject\":\"customer-a\",\"time\":\""
                            + time
                            + "\",\"data\":{\"n\":"
                            + i
                            + "}}";
            records.add(
                    new ProducerRecord<>(
                            topic,
                            "customer-a".getBytes(StandardCharsets.UTF_8),
                            json.getBytes(StandardCharsets.UTF_8)));
        }
        StreamingJobFixtures.produce(kafka, topic, records);
    }

    /** The day's document once it counts {@code events} events. */
    private static JsonNode awaitEventCount(
            OpenSearchConnection connection, String index, int events) throws Exception {
        String id = "customer-a@" + DAY;
        JsonNode[] found = new JsonNode[1];
        await(
                "the document of customer-a with " + events + " events",
                () -> {
                    Map<String, JsonNode> documents =
                            StreamingJobFixtures.indexedDocuments(connection, index);
                    found[0] = documents.get(id);
                    return found[0] != null
                            && found[0].path("metadata").path("event_count").asInt() == events;
                });
        return found[0];
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try {
            while (!condition.holds()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Timed out waiting for " + what);
                }
                Thread.sleep(250);
            }
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("Failed waiting for " + what, e);
        }
    }
}
