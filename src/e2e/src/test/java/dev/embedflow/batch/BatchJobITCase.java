package dev.embedflow.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.bench.CountingEmbedder;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.search.SearchHit;
import dev.embedflow.search.SearchQuery;
import dev.embedflow.search.SemanticSearch;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestFlinkCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.opensearch.core.search.Hit;

/**
 * The batch job over files in every format, against real OpenSearch and the real model behind the
 * embedding server (which counts the texts it embeds).
 */
@ExtendWith(OpenSearchExtension.class)
class BatchJobITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalEmbeddingModel model;
    private static CountingEmbedder counting;
    private static EmbeddingServer server;

    @TempDir Path dir;

    @BeforeAll
    static void startEmbeddingServer() throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        counting = new CountingEmbedder(model);
        server = EmbeddingServer.builder(counting).port(0).build().start();
    }

    @AfterAll
    static void stopEmbeddingServer() {
        server.close();
    }

    @Test
    void corpusInEveryFormatBecomesChunkedDocumentsWithMetadataAndIsSearchable(
            OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Path corpus = writeCorpus(dir.resolve("corpus"));
        Configuration config = config(node, index, corpus);

        BatchFixtures.Run run = BatchFixtures.run(config);

        Map<String, JsonNode> indexed = indexed(node, run.prepared().index().indexName());
        String p = corpus.toString() + "/";
        Map<String, Long> chunksPerDocument =
                indexed.values().stream()
                        .collect(
                                Collectors.groupingBy(
                                        d -> d.path("entity").asText(),
                                        TreeMap::new,
                                        Collectors.counting()));
        assertThat(chunksPerDocument.keySet())
                .containsExactlyInAnyOrder(
                        p + "faq.jsonl:q1",
                        p + "faq.jsonl:q2",
                        p + "products.json:sku-1",
                        p + "products.json:sku-2",
                        p + "tickets.csv:t-1",
                        p + "tickets.csv:t-2",
                        p + "notes.txt",
                        p + "guide.md",
                        p + "page.html",
                        p + "manual.pdf");
        assertThat(chunksPerDocument.get(p + "notes.txt")).isGreaterThanOrEqualTo(3);
        assertThat(chunksPerDocument.get(p + "guide.md")).isEqualTo(3); // one per section
        assertThat(chunksPerDocument.get(p + "manual.pdf")).isEqualTo(2); // one per page
        // chunk ids are <document id>#0..n-1
        chunksPerDocument.forEach(
                (document, count) -> {
                    for (int i = 0; i < count; i++) {
                        assertThat(indexed).containsKey(document + "#" + i);
                    }
                });

        assertThat(metadata(indexed, p + "guide.md#1"))
                .containsEntry("section", "Guide > Installation")
                .containsEntry("title", "Guide")
                .containsEntry("format", "markdown");
        assertThat(metadata(indexed, p + "manual.pdf#1"))
                .containsEntry("page", "2")
                .containsEntry("title", "Pump manual");
        assertThat(metadata(indexed, p + "page.html#0")).containsEntry("title", "Return policy");
        assertThat(indexed.get(p + "page.html#0").path("text").asText())
                .contains("thirty days")
                .doesNotContain("Home | Shop"); // navigation left out
        assertThat(metadata(indexed, p + "tickets.csv:t-1#0"))
                .containsEntry("priority", "high")
                .containsEntry("title", "Broken tent pole")
                .containsEntry("path", p + "tickets.csv");
        assertThat(metadata(indexed, p + "faq.jsonl:q2#0")).containsEntry("category", "shipping");
        assertThat(indexed.get(p + "notes.txt#0").path("embedding")).hasSize(384);

        long chunks = indexed.size();
        assertThat(run.summary())
                .extracting(
                        BatchSummary::files,
                        BatchSummary::documents,
                        BatchSummary::chunks,
                        BatchSummary::embedded,
                        BatchSummary::unchanged,
                        BatchSummary::deadLettered)
                .containsExactly(7L, 10L, chunks, chunks, 0L, 0L);
        assertThat(run.console()).contains("files 7/7").contains("embedded:            " + chunks);

        try (OpenSearchConnection connection = connect(node)) {
            List<SearchHit> hits =
                    new SemanticSearch(connection)
                            .search(
                                    index.name(),
                                    SearchQuery.builder()
                                            .vector(
                                                    model.embed("how do I bleed air from the pump")
                                                            .vector())
                                            .k(3)
                                            .build());
            // Failed once under heavy load (guide.md#1 first): name every hit and score if again.
            assertThat(hits.get(0).id())
                    .as(
                            "top hit of %s",
                            hits.stream().map(h -> h.id() + " (" + h.score() + ")").toList())
                    .isEqualTo(p + "manual.pdf#1");
        }
    }

    @Test
    void reRunOfUnchangedFilesEmbedsNothingAndAShorterFileLosesItsStaleChunks(
            OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Path corpus = writeCorpus(dir.resolve("corpus"));
        Configuration config = config(node, index, corpus);
        BatchFixtures.Run first = BatchFixtures.run(config);
        String indexName = first.prepared().index().indexName();
        Map<String, JsonNode> before = indexed(node, indexName);

        // Start-up included: the index records the model, so not even a probe is sent; and the
        // files are as the first run indexed them, so none is read.
        long textsBefore = counting.texts();
        BatchJob.Prepared prepared = BatchJob.prepare(config);
        BatchFixtures.Run again = BatchFixtures.run(config, prepared);

        assertThat(counting.texts() - textsBefore).isZero();
        assertThat(again.summary().files()).isZero();
        assertThat(again.summary().skippedFiles()).isEqualTo(first.summary().files());
        assertThat(indexed(node, indexName)).isEqualTo(before); // not even rewritten

        // Read again (files not skipped), the chunks are found unchanged in the index.
        Configuration readAll = config.clone();
        readAll.setString("batch.skip-unchanged-files", "false");
        BatchFixtures.Run reread = BatchFixtures.run(readAll);
        assertThat(counting.texts() - textsBefore).isZero();
        assertThat(reread.summary().embedded()).isZero();
        assertThat(reread.summary().unchanged()).isEqualTo(before.size());
        assertThat(indexed(node, indexName)).isEqualTo(before);

        String notes = corpus.resolve("notes.txt").toString();
        long notesChunks =
                before.keySet().stream().filter(id -> id.startsWith(notes + "#")).count();
        Files.writeString(corpus.resolve("notes.txt"), "The notes are short now.");
        textsBefore = counting.texts();
        prepared = BatchJob.prepare(config);
        BatchFixtures.Run shorter = BatchFixtures.run(config, prepared);

        assertThat(counting.texts() - textsBefore).isEqualTo(1);
        assertThat(shorter.summary().deleted()).isEqualTo(notesChunks - 1);
        Map<String, JsonNode> after = indexed(node, indexName);
        assertThat(after.keySet().stream().filter(id -> id.startsWith(notes + "#")))
                .containsExactly(notes + "#0");
        assertThat(after.get(notes + "#0").path("text").asText())
                .isEqualTo("The notes are short now.");
        before.forEach(
                (id, document) -> {
                    if (!id.startsWith(notes + "#")) {
                        assertThat(after.get(id)).as(id).isEqualTo(document);
                    }
                });
    }

    @Test
    void recordsWithoutATextFieldTakeTheirTextFromEveryTextFieldAndTheSummaryNamesThem(
            OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Path in = Files.createDirectories(dir.resolve("auto"));
        Files.writeString(
                in.resolve("products.csv"),
                "sku,name,description,price\n"
                        + "AB-1,Trail tent,A light tent for two.,199.00\n"
                        + "AB-2,Camp stove,Burns gas quietly.,49.5\n");
        Files.writeString(
                in.resolve("notes.jsonl"),
                "{\"id\": \"n1\", \"title\": \"Packing\", \"body\": \"Pack the stove last.\","
                        + " \"pages\": 2}\n"
                        + "{\"id\": \"n2\", \"title\": \"Rain\", \"body\": \"Dry the tent before"
                        + " storing.\"}\n");
        Configuration config =
                BatchFixtures.config(node, index, server, in.resolveSibling("auto-dead-letters"));
        config.setString("batch.input", in.toString());

        BatchFixtures.Run run = BatchFixtures.run(config);

        String p = in + "/";
        Map<String, JsonNode> indexed = indexed(node, run.prepared().index().indexName());
        assertThat(indexed.keySet())
                .containsExactlyInAnyOrder(
                        p + "products.csv:2#0",
                        p + "products.csv:3#0",
                        p + "notes.jsonl:n1#0",
                        p + "notes.jsonl:n2#0");
        assertThat(indexed.get(p + "products.csv:2#0").path("text").asText())
                .contains("AB-1", "Trail tent", "A light tent for two.")
                .doesNotContain("199.00");
        assertThat(metadata(indexed, p + "products.csv:2#0"))
                .containsEntry("price", "199.00")
                .containsEntry("title", "Trail tent");
        assertThat(indexed.get(p + "notes.jsonl:n1#0").path("text").asText())
                .contains("Packing", "Pack the stove last.")
                .doesNotContain("n1");
        assertThat(metadata(indexed, p + "notes.jsonl:n1#0"))
                .containsEntry("title", "Packing")
                .containsEntry("pages", "2");
        assertThat(run.summary().deadLettered()).isZero();
        assertThat(run.summary().textFields())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "/body", 2L,
                                "/title", 2L,
                                "description", 2L,
                                "name", 2L,
                                "sku", 2L));
        assertThat(run.console())
                .contains(
                        "text from:           /body (2), /title (2), description (2), name (2),"
                                + " sku (2)");
    }

    @Test
    void badFilesAndRecordsAreReportedWithPathAndLineAndEverythingElseIsIndexed(
            OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Path in = Files.createDirectories(dir.resolve("bad"));
        byte[] pdf = BatchFixtures.pdf("Whole", List.of("A complete page about valves."));
        Files.write(in.resolve("whole.pdf"), pdf);
        Files.write(in.resolve("truncated.pdf"), Arrays.copyOf(pdf, pdf.length / 3));
        Files.writeString(
                in.resolve("events.jsonl"),
                "{\"id\": \"a\", \"text\": \"first good record\"}\n"
                        + "{\"id\": \"b\", \"text\": \"broken\n"
                        + "{\"id\": \"c\", \"text\": \"third good record\"}\n");
        Files.writeString(
                in.resolve("rows.csv"),
                "id,text,team\n1,first row,red\n2,ragged row,blue,extra\n3,third row,green\n");
        Files.write(in.resolve("binary.txt"), new byte[] {'P', 'K', 3, 4, 0, 0, 1, 2, (byte) 0xff});
        Files.writeString(in.resolve("fine.txt"), "A plain text file that is fine.");
        Path deadLetters = dir.resolve("dead-letters");
        Configuration config = config(node, index, in);
        config.setString("batch.dead-letter-dir", deadLetters.toString());

        BatchFixtures.Run run = BatchFixtures.run(config);

        String p = in + "/";
        assertThat(indexed(node, run.prepared().index().indexName()).keySet())
                .containsExactlyInAnyOrder(
                        p + "whole.pdf#0",
                        p + "events.jsonl:a#0",
                        p + "events.jsonl:c#0",
                        p + "rows.csv:1#0",
                        p + "rows.csv:3#0",
                        p + "fine.txt#0");
        List<JsonNode> letters = deadLetters(deadLetters);
        Map<String, JsonNode> byPath = new TreeMap<>();
        for (JsonNode letter : letters) {
            byPath.put(letter.path("origins").path(0).path("path").asText(), letter);
        }
        assertThat(byPath.keySet())
                .containsExactlyInAnyOrder(
                        p + "truncated.pdf", p + "events.jsonl", p + "rows.csv", p + "binary.txt");
        assertThat(byPath.get(p + "events.jsonl").path("origins").path(0).path("line").asLong())
                .isEqualTo(2);
        assertThat(byPath.get(p + "events.jsonl").path("reason").asText()).contains("invalid JSON");
        assertThat(byPath.get(p + "rows.csv").path("origins").path(0).path("line").asLong())
                .isEqualTo(3);
        assertThat(byPath.get(p + "rows.csv").path("reason").asText()).contains("ragged row");
        assertThat(byPath.get(p + "binary.txt").path("reason").asText())
                .contains("not a text file");
        assertThat(byPath.get(p + "truncated.pdf").path("reason").asText()).contains("PDF");
        assertThat(run.summary().deadLettered()).isEqualTo(4);
        assertThat(run.summary().files()).isEqualTo(6);
        assertThat(run.console()).contains("dead-lettered:       4");

        // The command line: dead letters fail the run only when asked to.
        List<String> args = new java.util.ArrayList<>(List.of("batch"));
        config.toMap().forEach((k, v) -> args.add("-D" + k + "=" + v));
        assertThat(
                        dev.embedflow.cli.EmbedFlowCli.newCommandLine()
                                .execute(args.toArray(String[]::new)))
                .isZero();
        args.add("--strict");
        assertThat(
                        dev.embedflow.cli.EmbedFlowCli.newCommandLine()
                                .execute(args.toArray(String[]::new)))
                .isEqualTo(3);
    }

    // ------------------------------------------------------------------ fixtures

    private static Configuration config(
            OpenSearchNode node, OpenSearchTestIndex index, Path input) {
        Configuration config =
                BatchFixtures.config(node, index, server, input.resolveSibling("dead-letters"));
        config.setString("batch.input", input.toString());
        config.setString("batch.json.id-pointer", "/id");
        config.setString("batch.csv.id-column", "id");
        return config;
    }

    private static Path writeCorpus(Path corpus) throws IOException {
        Files.createDirectories(corpus);
        Files.writeString(
                corpus.resolve("faq.jsonl"),
                "{\"id\": \"q1\", \"text\": \"You can pay by card or bank transfer.\","
                        + " \"category\": \"billing\"}\n"
                        + "{\"id\": \"q2\", \"text\": \"Parcels arrive within three working"
                        + " days.\", \"category\": \"shipping\"}\n");
        Files.writeString(
                corpus.resolve("products.json"),
                "[{\"id\": \"sku-1\", \"title\": \"Tent\", \"text\": \"A light two-person tent.\"},\n"
                        + " {\"id\": \"sku-2\", \"title\": \"Stove\", \"text\": \"A compact gas"
                        + " stove.\"}]");
        Files.writeString(
                corpus.resolve("tickets.csv"),
                "id,title,text,priority\n"
                        + "t-1,Broken tent pole,\"The tent pole snapped on the first night.\",high\n"
                        + "t-2,Late parcel,The parcel has not arrived yet.,low\n");
        List<String> paragraphs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            paragraphs.add(
                    "Paragraph "
                            + i
                            + " of the field notes describes the weather on the ridge, the state"
                            + " of the trail after the storm, which campsites were still dry and"
                            + " how much water the streams carried that morning.");
        }
        Files.writeString(corpus.resolve("notes.txt"), String.join("\n\n", paragraphs));
        Files.writeString(
                corpus.resolve("guide.md"),
                "# Guide\n\nThis guide explains the camping stove.\n\n"
                        + "## Installation\n\nScrew the burner onto the gas canister by hand.\n\n"
                        + "## Cleaning\n\nWipe the burner with a dry cloth after use.\n");
        Files.writeString(
                corpus.resolve("page.html"),
                "<html><head><title>Return policy</title><script>var x = 1;</script></head><body>"
                        + "<nav>Home | Shop</nav><main><h1>Returns</h1><p>You may return any item"
                        + " within thirty days.</p><p>Refunds go back to the original payment"
                        + " method.</p></main><footer>Contact</footer></body></html>");
        Files.write(
                corpus.resolve("manual.pdf"),
                BatchFixtures.pdf(
                        "Pump manual",
                        List.of(
                                "The water pump is delivered with two hoses and a filter.",
                                "To bleed air from the pump, open the valve and run it for a"
                                        + " minute.")));
        return corpus;
    }

    private static OpenSearchConnection connect(OpenSearchNode node) {
        Configuration config = new Configuration();
        config.setString("opensearch.hosts", node.httpUri().toString());
        return OpenSearchConnection.open(OpenSearchConnectionConfig.fromConfiguration(config));
    }

    /** Every document of the index (after a refresh): id to source. */
    static Map<String, JsonNode> indexed(OpenSearchNode node, String index) throws IOException {
        try (OpenSearchConnection connection = connect(node)) {
            connection.client().indices().refresh(r -> r.index(index));
            Map<String, JsonNode> documents = new TreeMap<>();
            for (Hit<JsonNode> hit :
                    connection
                            .client()
                            .search(s -> s.index(index).size(1000), JsonNode.class)
                            .hits()
                            .hits()) {
                documents.put(hit.id(), hit.source());
            }
            return documents;
        }
    }

    private static Map<String, String> metadata(Map<String, JsonNode> indexed, String id) {
        assertThat(indexed).containsKey(id);
        Map<String, String> metadata = new TreeMap<>();
        indexed.get(id)
                .path("metadata")
                .properties()
                .forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
        return metadata;
    }

    private static List<JsonNode> deadLetters(Path dir) throws IOException {
        List<JsonNode> letters = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    letters.add(JSON.readTree(line));
                }
            }
        }
        return letters;
    }
}
