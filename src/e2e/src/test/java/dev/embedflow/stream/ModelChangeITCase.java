package dev.embedflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.cli.EmbedFlowCli;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.devserver.SampleBusiness;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.model.Embedding;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.LocalModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.qa.retrieval.QueryEmbedder;
import dev.embedflow.qa.retrieval.Retriever;
import dev.embedflow.search.SearchHit;
import dev.embedflow.source.Event;
import dev.embedflow.source.EventFormat;
import dev.embedflow.source.EventParser;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestFlinkCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A model change without downtime, with the real broker, OpenSearch and both local models: the job
 * embedding with fp32 all-MiniLM-L6-v2 keeps running while a second job embeds the same topic with
 * the int8 export into its own index; events keep flowing; {@code index progress} says when the new
 * index is complete, {@code index promote} moves the alias; a searcher (the Q&A service's
 * retriever) answers throughout and follows the alias to the new model.
 */
@ExtendWith({KafkaExtension.class, OpenSearchExtension.class})
class ModelChangeITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");
    private static final String FP32 = LocalModel.MINILM_L6_V2.id();
    private static final String INT8 = LocalModel.MINILM_L6_V2_INT8.id();

    @Test
    void switchesFromFp32ToInt8WhileEventsFlowAndSearchesAnswer(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        String topic = KafkaExtension.createTopic(kafka, "events", 2);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        List<String> events = new SampleBusiness(7, START).events(240, 10);
        StreamingJobFixtures.produceValues(kafka, topic, events.subList(0, 80));

        Configuration fp32 = config(kafka, node, index, topic, deadLetters, "it-fp32", FP32);
        Configuration int8 = config(kafka, node, index, topic, deadLetters, "it-int8", INT8);
        String oldIndex = IndexSpec.fromConfiguration(fp32, FP32, 384).indexName();
        String newIndex = IndexSpec.fromConfiguration(int8, INT8, 384).indexName();
        String alias = index.name();

        JobClient current = start(fp32, "embedflow fp32");
        Searcher searcher = null;
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            await(
                    "the fp32 index has documents",
                    () -> StreamingJobFixtures.count(connection, alias) > 0);
            searcher = new Searcher(connection, alias);
            searcher.start();

            JobClient next = start(int8, "embedflow int8");
            try {
                // Events keep flowing while both jobs run.
                for (int from = 80; from < events.size(); from += 20) {
                    StreamingJobFixtures.produceValues(
                            kafka, topic, events.subList(from, from + 20));
                    Thread.sleep(200); // pacing the producer, not a wait for a result
                }
                StreamingJobFixtures.produceWatermarkBump(kafka, topic, 2);

                String[] progress = {
                    "index",
                    "progress",
                    "--opensearch",
                    node.httpUri().toString(),
                    "--alias",
                    alias,
                    "--index",
                    newIndex,
                    "--group-id",
                    "it-int8",
                    "--bootstrap-servers",
                    kafka.bootstrapServers()
                };
                Set<String> expected = hourlyDocumentIds(events);
                await(
                        "both indexes hold every window and the new one is complete",
                        () ->
                                documentIds(connection, oldIndex).equals(expected)
                                        && documentIds(connection, newIndex).equals(expected)
                                        && cli(progress).exitCode() == 0);
                EmbedFlowCli.Result done = cli(progress);
                assertThat(done.out())
                        .contains("model " + INT8)
                        .contains("(100.0%)")
                        .contains("0 records behind")
                        .contains("Complete: ./embedflow index promote");

                int fp32Answers = searcher.answers(FP32);
                EmbedFlowCli.Result promote =
                        cli(
                                "index",
                                "promote",
                                "--opensearch",
                                node.httpUri().toString(),
                                "--alias",
                                alias,
                                "--index",
                                newIndex);
                assertThat(promote.exitCode()).as(promote.err()).isZero();
                assertThat(promote.out()).contains("Alias " + alias + ": [" + oldIndex + "]");

                Searcher s = searcher;
                await("the searcher answers with the new model", () -> s.answers(INT8) >= 3);
                searcher.stop();
                assertThat(searcher.failures).as("searches answered throughout").isEmpty();
                assertThat(fp32Answers).as("answers before the promote").isPositive();

                Map<String, JsonNode> before =
                        StreamingJobFixtures.indexedDocuments(connection, oldIndex);
                Map<String, JsonNode> after =
                        StreamingJobFixtures.indexedDocuments(connection, newIndex);
                assertThat(after.keySet()).isEqualTo(before.keySet());
                assertThat(after.values())
                        .allSatisfy(d -> assertThat(d.get("model").asText()).isEqualTo(INT8));
                assertVectorsAreTheNewModels(before, after);
            } finally {
                next.cancel().get();
            }
        } finally {
            if (searcher != null) {
                searcher.stop();
            }
            current.cancel().get();
        }
    }

    /**
     * The new index's vectors are int8's of each text: close to what the int8 model gives the text
     * alone (its dynamic quantization makes a vector depend a little on the batch it was computed
     * in) and not the fp32 vectors of the old index.
     */
    private static void assertVectorsAreTheNewModels(
            Map<String, JsonNode> before, Map<String, JsonNode> after) {
        try (LocalEmbeddingModel model =
                LocalEmbeddingModel.acquireShared(LocalModel.MINILM_L6_V2_INT8)) {
            int differentFromFp32 = 0;
            for (String id : after.keySet().stream().limit(10).toList()) {
                float[] stored = vector(after.get(id));
                float[] alone = model.embed(after.get(id).get("text").asText()).vector();
                assertThat(Embedding.cosine(stored, alone)).as(id).isGreaterThan(0.98);
                if (Embedding.cosine(stored, vector(before.get(id))) < 0.9999) {
                    differentFromFp32++;
                }
            }
            assertThat(differentFromFp32).as("new vectors, not the old ones copied").isEqualTo(10);
        }
    }

    private static float[] vector(JsonNode document) {
        JsonNode array = document.get("embedding");
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).asDouble();
        }
        return v;
    }

    /** Searches the alias every 100 ms, as the Q&A service does, and notes what answered. */
    private static final class Searcher {
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final Map<String, AtomicInteger> answers =
                Map.of(FP32, new AtomicInteger(), INT8, new AtomicInteger());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Retriever retriever;
        private final QueryEmbedder embedder;
        private final Thread thread;

        Searcher(OpenSearchConnection connection, String alias) {
            this.embedder = QueryEmbedder.fromConfiguration(new Configuration());
            this.retriever = new Retriever(connection, embedder, alias, new Configuration());
            this.thread = new Thread(this::loop, "model-change-searcher");
        }

        void start() {
            thread.start();
        }

        int answers(String model) {
            return answers.get(model).get();
        }

        void stop() throws InterruptedException {
            if (running.compareAndSet(true, false)) {
                thread.join();
                embedder.close();
            }
        }

        private void loop() {
            while (running.get()) {
                try {
                    List<SearchHit> hits =
                            retriever.search(
                                    new Retriever.Request(
                                            "my parcel has not arrived",
                                            5,
                                            Map.of(),
                                            true,
                                            false,
                                            null,
                                            null),
                                    Map.of());
                    String model = retriever.model();
                    if (hits.isEmpty()) {
                        failures.add("no hits with " + model);
                    }
                    for (SearchHit hit : hits) {
                        if (!model.equals(hit.model())) {
                            failures.add(
                                    hit.id() + " of " + hit.model() + " for a " + model + " query");
                        }
                    }
                    answers.get(model).incrementAndGet();
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        }
    }

    private static Configuration config(
            KafkaBroker kafka,
            OpenSearchNode node,
            OpenSearchTestIndex index,
            String topic,
            String deadLetters,
            String group,
            String model) {
        Configuration config =
                StreamingJobFixtures.jobConfig(
                        kafka, node, index, URI.create("http://unused"), model, topic, deadLetters);
        config.setString("embedding.provider", "local");
        config.removeKey("embedding.base-url");
        config.setString("source.group-id", group);
        config.setString("source.idleness", "1 s");
        config.setString("window.mode", "TUMBLING");
        config.setString("window.size", "1 h");
        config.setString("window.allowed-lateness", "0 s");
        config.setString("window.update-interval", "1 s");
        return config;
    }

    private static JobClient start(Configuration config, String name) throws Exception {
        StreamingJob.Prepared prepared = StreamingJob.prepare(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(500); // the source commits its offsets on checkpoints
        StreamingJob.build(env, config, prepared);
        return env.executeAsync(name);
    }

    /** The documents of one-hour windows the events make, and the watermark bump's. */
    private static Set<String> hourlyDocumentIds(List<String> events) {
        EventParser parser = new EventParser(EventFormat.cloudEvents());
        Set<String> ids = new TreeSet<>();
        long hour = Duration.ofHours(1).toMillis();
        for (String line : events) {
            Event event =
                    parser.parse(
                                    new ConsumerRecord<>(
                                            "t", 0, 0, null, line.getBytes(StandardCharsets.UTF_8)))
                            .getEvent();
            long start = event.getEventTime() - Math.floorMod(event.getEventTime(), hour);
            ids.add(event.getEntity() + "@" + Instant.ofEpochMilli(start));
        }
        ids.add("clock@2027-01-01T00:00:00Z");
        return ids;
    }

    /** The document ids in {@code index} (chunk suffixes dropped). */
    private static Set<String> documentIds(OpenSearchConnection connection, String index)
            throws Exception {
        Set<String> ids = new TreeSet<>();
        StreamingJobFixtures.indexedDocuments(connection, index)
                .keySet()
                .forEach(id -> ids.add(StreamingJobFixtures.documentId(id)));
        return ids;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(250);
        }
    }

    private static EmbedFlowCli.Result cli(String... args) {
        return EmbedFlowCli.run(args);
    }
}
