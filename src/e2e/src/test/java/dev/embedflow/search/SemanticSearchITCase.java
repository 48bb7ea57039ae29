package dev.embedflow.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.cli.EmbedFlowCli;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.sink.IndexAction;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Search with real all-MiniLM-L6-v2 vectors in the real OpenSearch, as a library and as a CLI. */
@ExtendWith(OpenSearchExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SemanticSearchITCase {

    private static final Instant HOUR = Instant.parse("2026-03-02T10:00:00Z");

    /** entity, event type, text. */
    private static final List<List<String>> DOCUMENTS =
            List.of(
                    List.of(
                            "shipment-77",
                            "shipment_delayed",
                            "Shipment 77 for order 1042 left the warehouse three days late.\nThe parcel is still in transit."),
                    List.of(
                            "ticket-310",
                            "ticket_opened",
                            "Support ticket 310: the customer cannot log in after resetting the password."),
                    List.of(
                            "order-1043",
                            "order_placed",
                            "Order 1043: two pairs of running shoes and a rain jacket, paid by card."),
                    List.of(
                            "refund-55",
                            "refund_issued",
                            "Refund 55 of 79.90 EUR was issued for a damaged coffee grinder."),
                    List.of(
                            "refund-56",
                            "refund_issued",
                            "Refund 56 of 12.00 EUR was issued for a late delivery of running socks."));

    private LocalEmbeddingModel model;
    private OpenSearchConnection connection;
    private IndexSpec spec;

    @BeforeAll
    void indexDocuments(OpenSearchTestIndex index) throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        TestSearchIndex test =
                TestSearchIndex.create(
                        index, LocalEmbeddingModel.MODEL_ID, LocalEmbeddingModel.DIMENSIONS);
        connection = test.connection;
        spec = test.spec;
        List<IndexAction.Upsert> upserts = new ArrayList<>();
        for (List<String> doc : DOCUMENTS) {
            upserts.add(
                    IndexAction.upsert(doc.get(0))
                            .entity(doc.get(0))
                            .window(HOUR, HOUR.plusSeconds(3600))
                            .text(doc.get(2))
                            .vector(model.embed(doc.get(2)).vector())
                            .model(LocalEmbeddingModel.MODEL_ID)
                            .metadata(Map.of("event_types", List.of(doc.get(1))))
                            .build());
        }
        test.write(upserts);
    }

    @AfterAll
    void close() {
        if (connection != null) {
            connection.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    void aQueryInOtherWordsFindsTheDocumentItMeans() {
        List<SearchHit> hits = search("my package has not arrived yet, the delivery is delayed", 3);

        assertThat(hits).hasSize(3);
        SearchHit top = hits.get(0);
        assertThat(top.entity()).isEqualTo("shipment-77");
        assertThat(top.rank()).isEqualTo(1);
        assertThat(top.firstLine())
                .isEqualTo("Shipment 77 for order 1042 left the warehouse three days late.");
        assertThat(top.windowStart()).isEqualTo(HOUR);
        assertThat(top.metadata()).containsEntry("event_types", List.of("shipment_delayed"));
        assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
    }

    @Test
    void filtersKeepOnlyDocumentsWithTheValue() {
        SearchQuery query =
                SearchQuery.builder()
                        .vector(model.embed("my package has not arrived yet").vector())
                        .k(5)
                        .filter("event_types=refund_issued")
                        .build();

        List<SearchHit> hits = new SemanticSearch(connection).search(spec.alias(), query);

        assertThat(hits).extracting(SearchHit::entity).containsExactly("refund-56", "refund-55");
    }

    @Test
    void hybridSearchFusesMeaningAndKeywords() {
        String text = "money back for a broken grinder";
        SearchQuery query =
                SearchQuery.builder()
                        .vector(model.embed(text).vector())
                        .text(text)
                        .hybrid(true)
                        .k(3)
                        .build();

        List<SearchHit> hits = new SemanticSearch(connection).search(spec.alias(), query);

        assertThat(hits).hasSize(3);
        assertThat(hits.get(0).entity()).isEqualTo("refund-55");
        assertThat(hits.get(0).score())
                .as("found by both rankings: two reciprocal-rank terms")
                .isGreaterThan(1.0 / (SemanticSearch.RRF_K + 1));
    }

    @Test
    void searchCommandPrintsARankedTable(OpenSearchTestIndex index) {
        EmbedFlowCli.Result run =
                cli(
                        "search",
                        "I forgot my credentials and can't sign in",
                        "--k",
                        "2",
                        "--index",
                        spec.alias(),
                        "--opensearch",
                        index.node().httpUri().toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("RANK").contains("SCORE", "ENTITY", "WINDOW", "TEXT");
        assertThat(lines.get(1))
                .startsWith("1 ")
                .contains("ticket-310")
                .contains("2026-03-02T10:00:00Z/2026-03-02T11:00:00Z")
                .contains("Support ticket 310");
        assertThat(lines.get(2)).startsWith("2 ");
    }

    @Test
    void searchCommandEmbedsTheQueryWithTheConfiguredProvider(OpenSearchTestIndex index)
            throws Exception {
        try (EmbeddingServer server = EmbeddingServer.builder(model).port(0).build().start()) {
            EmbedFlowCli.Result run =
                    cli(
                            "search",
                            "I forgot my credentials and can't sign in",
                            "--k",
                            "1",
                            "--index",
                            spec.alias(),
                            "--opensearch",
                            index.node().httpUri().toString(),
                            "-Dembedding.provider=openai",
                            "-Dembedding.base-url=" + server.baseUri(),
                            "-Dembedding.model=" + LocalEmbeddingModel.MODEL_ID);

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out().lines().skip(1).findFirst().orElseThrow()).contains("ticket-310");
        }
    }

    @Test
    void searchCommandPrintsJsonForScripts(OpenSearchTestIndex index) throws Exception {
        EmbedFlowCli.Result run =
                cli(
                        "search",
                        "running shoes",
                        "--json",
                        "--hybrid",
                        "--filter",
                        "entity=order-1043",
                        "--index",
                        spec.alias(),
                        "--opensearch",
                        index.node().httpUri().toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode hits = new ObjectMapper().readTree(run.out());
        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).get("entity").asText()).isEqualTo("order-1043");
        assertThat(hits.get(0).get("rank").asInt()).isEqualTo(1);
    }

    @Test
    void searchCommandRefusesAnIndexBuiltWithAnotherModel(OpenSearchTestIndex index) {
        IndexSpec other =
                IndexSpec.builder()
                        .baseName(index.name())
                        .model("text-embedding-3-small")
                        .dimension(LocalEmbeddingModel.DIMENSIONS)
                        .replicas(0)
                        .build();
        new IndexManager(connection).ensureIndex(other);

        EmbedFlowCli.Result run =
                cli(
                        "search",
                        "anything",
                        "--index",
                        other.indexName(),
                        "--opensearch",
                        index.node().httpUri().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("text-embedding-3-small").contains("all-MiniLM-L6-v2");
        assertThat(run.out()).isEmpty();
    }

    private List<SearchHit> search(String text, int k) {
        SearchQuery query = SearchQuery.builder().vector(model.embed(text).vector()).k(k).build();
        return new SemanticSearch(connection).search(spec.alias(), query);
    }

    private static EmbedFlowCli.Result cli(String... args) {
        return EmbedFlowCli.run(args);
    }
}
