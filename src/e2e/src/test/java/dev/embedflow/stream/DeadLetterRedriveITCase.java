package dev.embedflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.cli.EmbedFlowCli;
import dev.embedflow.deadletters.DeadLetterTopic;
import dev.embedflow.devserver.KafkaBroker;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.testing.KafkaExtension;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestFlinkCluster;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator's redrive with the real broker: a record dead-lettered for a fixable reason (over the
 * record size limit) is listed, shown, redriven after the limit is raised, and indexed exactly
 * once; a record that cannot be fixed stays a dead letter.
 */
@ExtendWith({KafkaExtension.class, OpenSearchExtension.class})
class DeadLetterRedriveITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant DAY = Instant.parse("2026-03-01T08:00:00Z");

    private static LocalEmbeddingModel model;
    private static EmbeddingServer server;

    @BeforeAll
    static void startEmbeddingServer() throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        server = EmbeddingServer.builder(model).port(0).build().start();
    }

    @AfterAll
    static void stopEmbeddingServer() {
        server.close();
        model.close();
    }

    @Test
    void aFixableDeadLetterIsIndexedOnceAfterRedrive(
            KafkaBroker kafka, OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        String topic = KafkaExtension.createTopic(kafka, "events", 1);
        String deadLetters = KafkaExtension.createTopic(kafka, "dead-letters", 1);
        String longNote = "the crate of blue ceramic tiles arrived cracked ".repeat(60).strip();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(event(topic, "customer-a", DAY, "the invoice was paid twice"));
        records.add(event(topic, "customer-b", DAY.plusSeconds(60), longNote)); // ~3 KB
        records.add(
                new ProducerRecord<>(
                        topic, "customer-c".getBytes(StandardCharsets.UTF_8), bytes("{not json")));
        records.add(
                new ProducerRecord<>(
                        topic,
                        bytes("customer-d"),
                        bytes("{not json either, and redriven before")));
        records.get(1).headers().add(new RecordHeader("trace-id", bytes("trace-42")));
        records.get(3).headers().add(new RecordHeader(DeadLetterTopic.REDRIVE_COUNT, bytes("3")));
        StreamingJobFixtures.produce(kafka, topic, records);

        String group = "it-" + UUID.randomUUID();
        runJob(kafka, node, index, topic, deadLetters, group, "2kb");
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            assertThat(entities(connection, index)).containsExactly("customer-a");
        }

        String[] where = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic", deadLetters};
        EmbedFlowCli.Result list = cli(where, "dead-letters", "list", "--json");
        assertThat(list.exitCode()).as(list.err()).isZero();
        JsonNode listed = JSON.readTree(list.out());
        assertThat(listed.get("total").asInt()).isEqualTo(3);
        assertThat(listed.get("groups"))
                .extracting(g -> g.get("stage").asText() + " " + g.get("reason").asText())
                .containsExactlyInAnyOrder(
                        "SOURCE record of # bytes is over the limit of #kb (# bytes)"
                                + " (embedflow.source.max-record-size)",
                        "SOURCE value is not JSON: Unexpected character ('…' (code #)): was"
                                + " expecting double-quote to start field name at line #, column #");

        EmbedFlowCli.Result show =
                cli(where, "dead-letters", "show", "--json", "--reason", "over the limit");
        JsonNode shown = JSON.readTree(show.out());
        assertThat(shown.get("origins").get(0).get("topic").asText()).isEqualTo(topic);
        assertThat(shown.get("origins").get(0).get("offset").asLong()).isEqualTo(1);
        assertThat(shown.get("payload").asText()).contains("blue ceramic tiles");

        // The operator raises the limit and restarts the job (it resumes from its group's offsets),
        // then looks at what a redrive would send before sending it.
        EmbedFlowCli.Result dryRun =
                cli(where, "dead-letters", "redrive", "--reason", "over the limit", "--dry-run");
        assertThat(dryRun.out())
                .contains("would redrive " + deadLetters + "-0@")
                .contains("-> " + topic + " (1 record, redrive 1 of at most 3)")
                .contains("Would redrive 1 of 1 selected");
        assertThat(redriven(kafka, topic, records.size())).as("a dry run sends nothing").isEmpty();

        EmbedFlowCli.Result redrive =
                cli(where, "dead-letters", "redrive", "--reason", "over the limit");
        assertThat(redrive.exitCode()).as(redrive.err()).isZero();
        assertThat(redrive.out()).contains("Redrove 1 of 1 selected");
        EmbedFlowCli.Result again =
                cli(where, "dead-letters", "redrive", "--reason", "over the limit");
        assertThat(again.out()).contains("redriven already").contains("Redrove 0 of 1 selected");

        List<ConsumerRecord<byte[], byte[]>> copies = redriven(kafka, topic, records.size() + 1);
        assertThat(copies).as("exactly one copy however often redrive runs").hasSize(1);
        ConsumerRecord<byte[], byte[]> copy = copies.get(0);
        assertThat(copy.value()).isEqualTo(records.get(1).value());
        assertThat(copy.key()).isEqualTo(records.get(1).key());
        assertThat(StreamingJobFixtures.header(copy, "trace-id")).isEqualTo("trace-42");
        assertThat(StreamingJobFixtures.header(copy, DeadLetterTopic.REDRIVE_OF))
                .isEqualTo(deadLetters + "-0@" + shown.get("location").asText().split("@")[1]);

        runJob(kafka, node, index, topic, deadLetters, group, "64kb");
        try (OpenSearchConnection connection = StreamingJobFixtures.connect(node)) {
            assertThat(entities(connection, index))
                    .as("the redriven record is indexed; the unfixable one is not")
                    .containsExactly("customer-a", "customer-b");
            Map<String, JsonNode> documents =
                    StreamingJobFixtures.indexedDocuments(connection, index.name());
            List<String> customerB =
                    documents.entrySet().stream()
                            .filter(d -> d.getValue().get("entity").asText().equals("customer-b"))
                            .map(d -> StreamingJobFixtures.documentId(d.getKey()))
                            .distinct()
                            .toList();
            assertThat(customerB).as("one document for customer-b's day").hasSize(1);
            String text =
                    documents.entrySet().stream()
                            .filter(d -> d.getKey().startsWith(customerB.get(0)))
                            .map(d -> d.getValue().get("text").asText())
                            .reduce("", String::concat);
            assertThat(text)
                    .as("the redriven event, counted once")
                    .contains("customer-b: 1 events from")
                    .contains("blue ceramic tiles arrived cracked");
        }
        EmbedFlowCli.Result after = cli(where, "dead-letters", "list", "--json");
        assertThat(JSON.readTree(after.out()).get("redriven").asInt()).isEqualTo(1);
        assertThat(JSON.readTree(after.out()).get("total").asInt())
                .as("the restarted job resumed after the records it had read: nothing twice")
                .isEqualTo(3);

        // A record redriven --max-redrives times already is not sent again.
        EmbedFlowCli.Result capped =
                cli(where, "dead-letters", "redrive", "--reason", "not JSON", "--dry-run");
        assertThat(capped.out())
                .contains("-> " + topic + " (1 record, redrive 1 of at most 3)")
                .contains(topic + "-0@3 was redriven 3 times already (--max-redrives 3)")
                .contains("Would redrive 1 of 2 selected");
    }

    private static void runJob(
            KafkaBroker kafka,
            OpenSearchNode node,
            OpenSearchTestIndex index,
            String topic,
            String deadLetters,
            String group,
            String maxRecordSize)
            throws Exception {
        Configuration config =
                StreamingJobFixtures.jobConfig(kafka, node, index, server, topic, deadLetters);
        config.setString("source.group-id", group);
        config.setString("source.starting-offsets", "COMMITTED");
        config.setString("source.bounded", "true");
        config.setString("source.max-record-size", maxRecordSize);
        config.setString("window.mode", "TUMBLING");
        config.setString("window.size", "1 d");
        // No checkpoints: the next run resumes from the offsets this bounded run commits once it
        // has finished, not from the connector's best-effort commit of its last checkpoint.
        StreamingJobFixtures.runToEnd(config, 1, false);
    }

    private static List<String> entities(OpenSearchConnection connection, OpenSearchTestIndex index)
            throws Exception {
        Map<String, JsonNode> documents =
                StreamingJobFixtures.indexedDocuments(connection, index.name());
        return documents.values().stream()
                .map(d -> d.get("entity").asText())
                .distinct()
                .sorted()
                .toList();
    }

    /** The redriven copies among the {@code records} records on {@code topic}. */
    private static List<ConsumerRecord<byte[], byte[]>> redriven(
            KafkaBroker kafka, String topic, int records) {
        return StreamingJobFixtures.consumeAll(kafka, topic, records).stream()
                .filter(r -> r.headers().lastHeader(DeadLetterTopic.REDRIVE_OF) != null)
                .toList();
    }

    private static ProducerRecord<byte[], byte[]> event(
            String topic, String subject, Instant time, String note) {
        return new ProducerRecord<>(
                topic,
                bytes(subject),
                bytes(StreamingJobFixtures.cloudEvent(subject, time, "ticket.note", note)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static EmbedFlowCli.Result cli(String[] where, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(Arrays.asList(where));
        return EmbedFlowCli.run(all.toArray(String[]::new));
    }
}
