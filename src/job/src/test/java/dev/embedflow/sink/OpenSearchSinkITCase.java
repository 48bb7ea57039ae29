package dev.embedflow.sink;

import static dev.embedflow.sink.SinkTestSupport.DIMENSION;
import static dev.embedflow.sink.SinkTestSupport.connection;
import static dev.embedflow.sink.SinkTestSupport.count;
import static dev.embedflow.sink.SinkTestSupport.spec;
import static dev.embedflow.sink.SinkTestSupport.text;
import static dev.embedflow.sink.SinkTestSupport.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.deadletter.DeadLetterKafkaSerializer;
import dev.embedflow.deadletter.KafkaDeadLetterWriter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexMismatchException;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestFlinkCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.IntCounter;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink in Flink jobs on a MiniCluster against the real OpenSearch node (and Kafka). */
@ExtendWith({OpenSearchExtension.class, KafkaExtension.class})
class OpenSearchSinkITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writingTheSameDocumentsTwiceKeepsTheCountAndUpdatesTheContent(OpenSearchTestIndex index)
            throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        List<IndexAction> first =
                IntStream.range(0, 20)
                        .mapToObj(w -> (IndexAction) upsert("c-" + w % 4, w, "v1 " + w))
                        .toList();
        List<IndexAction> second =
                IntStream.range(0, 20)
                        .mapToObj(w -> (IndexAction) upsert("c-" + w % 4, w, "v2 " + w))
                        .toList();

        run(sink(index, spec).build(), first);
        assertThat(count(index, spec.indexName())).isEqualTo(20);
        run(sink(index, spec).build(), second);

        assertThat(count(index, spec.indexName())).isEqualTo(20);
        IndexAction.Upsert seventh = (IndexAction.Upsert) second.get(7);
        assertThat(text(index, spec.indexName(), seventh.id())).isEqualTo("v2 7");
        assertThat(count(index, spec.alias())).as("the alias reads the index").isEqualTo(20);
    }

    @Test
    void deletesRemoveOneDocumentByIdAndEveryDocumentOfAnEntity(OpenSearchTestIndex index)
            throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        List<IndexAction> actions = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            actions.add(upsert("keep", w, "keep " + w));
            actions.add(upsert("gone", w, "gone " + w));
        }
        IndexAction.Upsert keep1 = (IndexAction.Upsert) actions.get(2);
        actions.add(IndexAction.delete(keep1.id(), List.of()));
        actions.add(IndexAction.deleteEntity("gone", List.of()));
        // written after the entity delete: must survive it
        actions.add(upsert("gone", 9, "back again"));

        run(sink(index, spec).build(), actions);

        assertThat(count(index, spec.indexName())).isEqualTo(3);
        assertThat(text(index, spec.indexName(), keep1.id())).isNull();
        assertThat(text(index, spec.indexName(), upsert("gone", 9, "x").id()))
                .isEqualTo("back again");
        assertThat(text(index, spec.indexName(), upsert("gone", 0, "x").id())).isNull();
    }

    @Test
    void withSeveralBulksInFlightTheNewestVersionOfEachDocumentWins(OpenSearchTestIndex index)
            throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        List<IndexAction> actions = new ArrayList<>();
        // Each document's versions arrive out of order, spread over bulks of 7 with 3 in flight.
        for (int round = 0; round < 3; round++) {
            for (int w = 0; w < 40; w++) {
                long version = new long[] {20, 30, 10}[round];
                actions.add(versioned(upsert("c-" + w % 5, w, "v" + version + " " + w), version));
            }
        }
        // A versioned delete older than what the index holds leaves the document alone...
        IndexAction.Upsert kept = (IndexAction.Upsert) actions.get(3);
        actions.add(IndexAction.delete(kept.id(), List.of(), 25));
        // ...and a newer one removes it.
        IndexAction.Upsert gone = (IndexAction.Upsert) actions.get(4);
        actions.add(IndexAction.delete(gone.id(), List.of(), 31));

        run(sink(index, spec).bulkMaxInFlight(3).build(), actions);

        assertThat(count(index, spec.indexName())).isEqualTo(39);
        for (int w = 0; w < 40; w++) {
            if (w != 4) {
                assertThat(text(index, spec.indexName(), upsert("c-" + w % 5, w, "x").id()))
                        .isEqualTo("v30 " + w);
            }
        }
    }

    @Test
    void entityDeletesQueuedTogetherGoAtOnceAndSpareDocumentsWrittenAfterThem(
            OpenSearchTestIndex index) throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        List<IndexAction> actions = new ArrayList<>();
        for (int e = 0; e < 12; e++) {
            for (int w = 0; w < 3; w++) {
                actions.add(versioned(upsert("e-" + e, w, "e" + e + " w" + w), 10));
            }
        }
        // A document of e-0 written (version 50) after its delete (version 40) was decided.
        actions.add(versioned(upsert("e-0", 9, "after the delete"), 50));
        for (int e = 0; e < 12; e++) {
            actions.add(IndexAction.deleteEntity("e-" + e, List.of(), 40));
        }
        actions.add(versioned(upsert("e-keep", 0, "untouched"), 10));

        run(sink(index, spec).bulkMaxInFlight(3).build(), actions);

        assertThat(count(index, spec.indexName())).isEqualTo(2);
        assertThat(text(index, spec.indexName(), upsert("e-0", 9, "x").id()))
                .isEqualTo("after the delete");
        assertThat(text(index, spec.indexName(), upsert("e-keep", 0, "x").id()))
                .isEqualTo("untouched");
    }

    private static IndexAction versioned(IndexAction.Upsert upsert, long version) {
        return IndexAction.upsert(upsert.id())
                .entity(upsert.entity())
                .window(upsert.windowStart(), upsert.windowEnd())
                .text(upsert.text())
                .vector(upsert.vector())
                .model(upsert.model())
                .contentHash(upsert.contentHash())
                .metadata(upsert.metadata())
                .origins(upsert.origins())
                .version(version)
                .build();
    }

    @Test
    void aDimensionMismatchStopsTheJobBeforeItWritesAnything(OpenSearchTestIndex index)
            throws Exception {
        IndexSpec existing = spec(index, 8);
        IndexManager.preflight(connection(index), existing);
        IndexSpec job = spec(index, DIMENSION);
        assertThatThrownBy(() -> IndexManager.preflight(connection(index), job))
                .isInstanceOf(IndexMismatchException.class)
                .hasMessageContaining("dimension: the index has 8");

        assertThatThrownBy(() -> run(sink(index, job).build(), List.of(upsert("c", 0, "text"))))
                .rootCause()
                .hasMessageContaining("dimension: the index has 8")
                .hasMessageContaining("produces " + DIMENSION)
                .hasMessageContaining(existing.indexName())
                .hasMessageContaining("embedflow index promote");
        assertThat(count(index, existing.indexName())).isZero();
    }

    @Test
    void everyActionBeforeACheckpointIsSearchableWhenTheCheckpointCompletes(
            OpenSearchTestIndex index) throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        // Only checkpoints send: no size or interval trigger within the test.
        OpenSearchSink sink =
                sink(index, spec)
                        .bulkMaxActions(100_000)
                        .maxBufferedActions(100_000)
                        .bulkMaxSize(MemorySize.parse("100mb"))
                        .maxBufferedSize(MemorySize.parse("100mb"))
                        .bulkInterval(Duration.ofHours(1))
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(300);
        env.fromSequence(0, 399)
                .map(new CheckVisibleOnCheckpoint(index.node().httpUri(), spec.indexName()))
                .returns(TypeInformation.of(IndexAction.class))
                .sinkTo(sink);

        JobExecutionResult result = env.execute("checkpoint flush");

        int checks = result.getAccumulatorResult(CheckVisibleOnCheckpoint.CHECKS);
        assertThat(checks).as("checkpoints completed while records flowed").isGreaterThan(1);
        assertThat(count(index, spec.indexName())).isEqualTo(400);
    }

    @Test
    void aDocumentTheMappingRejectsGoesToTheDeadLetterTopicAndTheRestAreIndexed(
            OpenSearchTestIndex index, KafkaBroker broker) throws Exception {
        IndexSpec spec = spec(index, DIMENSION);
        String topic = KafkaExtension.createTopic(broker, "dead-letters", 1);
        List<IndexAction> actions = new ArrayList<>();
        for (int w = 0; w < 10; w++) {
            actions.add(upsert("c", w, "text " + w));
        }
        IndexAction.Upsert good = (IndexAction.Upsert) actions.get(3);
        Map<String, Object> badMetadata = new HashMap<>(good.metadata());
        badMetadata.put("event_count", "many"); // mapped as integer
        IndexAction.Upsert bad =
                IndexAction.upsert(good.id())
                        .entity("c")
                        .window(good.windowStart(), good.windowEnd())
                        .text("the rejected one")
                        .vector(good.vector())
                        .model(good.model())
                        .metadata(badMetadata)
                        .origins(List.of(Origin.kafka("orders", 2, 1003, 1_700_000_000_000L)))
                        .build();
        actions.set(3, bad);

        run(
                sink(index, spec)
                        .deadLetters(
                                KafkaDeadLetterWriter.factory(
                                        topic,
                                        Map.of("bootstrap.servers", broker.bootstrapServers())))
                        .build(),
                actions);

        assertThat(count(index, spec.indexName())).isEqualTo(9);
        assertThat(text(index, spec.indexName(), bad.id())).isNull();
        ConsumerRecord<byte[], byte[]> record = readOne(broker, topic);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(bad.id());
        assertThat(header(record, DeadLetterKafkaSerializer.STAGE)).isEqualTo("SINK");
        assertThat(header(record, DeadLetterKafkaSerializer.REASON))
                .contains("mapper_parsing_exception")
                .contains("metadata.event_count");
        assertThat(header(record, DeadLetterKafkaSerializer.DOCUMENT_ID)).isEqualTo(bad.id());
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_TOPIC)).isEqualTo("orders");
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_PARTITION)).isEqualTo("2");
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_OFFSET)).isEqualTo("1003");
        assertThat(header(record, DeadLetterKafkaSerializer.ORIGIN_TIMESTAMP))
                .isEqualTo("1700000000000");
        assertThat(
                        JSON.readTree(header(record, DeadLetterKafkaSerializer.ORIGINS))
                                .get(0)
                                .get("offset")
                                .asLong())
                .isEqualTo(1003);
        JsonNode payload = JSON.readTree(record.value());
        assertThat(payload.get("text").asText()).isEqualTo("the rejected one");
        assertThat(payload.has("embedding")).as("no vector in the dead letter").isFalse();
    }

    private static OpenSearchSink.Builder sink(OpenSearchTestIndex index, IndexSpec spec) {
        return OpenSearchSink.builder()
                .connection(connection(index))
                .index(spec)
                .bulkMaxActions(7)
                .bulkInterval(Duration.ofMillis(200))
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    private static void run(OpenSearchSink sink, List<IndexAction> actions) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(actions, TypeInformation.of(IndexAction.class)).sinkTo(sink);
        env.execute("sink test");
    }

    private static ConsumerRecord<byte[], byte[]> readOne(KafkaBroker broker, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-test-" + topic);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 20_000;
            while (records.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            // anything else that arrived is a bug too
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        assertThat(header).as("header " + key).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Turns numbers into upserts, slowly, and when a checkpoint completes, checks that every upsert
     * emitted before that checkpoint's barrier is searchable in OpenSearch.
     */
    static final class CheckVisibleOnCheckpoint extends RichMapFunction<Long, IndexAction>
            implements CheckpointedFunction, CheckpointListener {
        static final String CHECKS = "checks";

        private final String baseUri;
        private final String indexName;
        private transient Map<Long, Long> emittedAt;
        private transient long emitted;
        private transient IntCounter checks;
        private transient HttpClient http;

        CheckVisibleOnCheckpoint(URI node, String indexName) {
            this.baseUri = node.toString();
            this.indexName = indexName;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            emittedAt = new HashMap<>();
            checks = new IntCounter();
            getRuntimeContext().addAccumulator(CHECKS, checks);
            http = HttpClient.newHttpClient();
        }

        @Override
        public IndexAction map(Long i) throws Exception {
            Thread.sleep(8);
            emitted++;
            return upsert("e-" + i % 10, i.intValue(), "text " + i);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            emittedAt.put(context.getCheckpointId(), emitted);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            Long expected = emittedAt.remove(checkpointId);
            if (expected == null || expected == 0) {
                return;
            }
            send("POST", "/" + indexName + "/_refresh");
            long found =
                    JSON.readTree(send("GET", "/" + indexName + "/_count")).get("count").asLong();
            if (found < expected) {
                throw new AssertionError(
                        "checkpoint "
                                + checkpointId
                                + " completed, but only "
                                + found
                                + " of the "
                                + expected
                                + " documents before it are in OpenSearch");
            }
            checks.add(1);
        }

        private String send(String method, String path) throws Exception {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(baseUri + path))
                                    .method(method, HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return response.body();
        }
    }
}
