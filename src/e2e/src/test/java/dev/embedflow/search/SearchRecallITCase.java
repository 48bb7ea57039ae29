package dev.embedflow.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.model.Embedding;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.sink.IndexAction;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestDirs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Search finds the right documents: on an index crowded with near-duplicate texts (the sample
 * business's parcel tickets, as {@code embedflow local} indexes them) plus distinct documents, the
 * top 10 of {@link SemanticSearch} agree with an exact brute-force cosine ranking over every
 * vector, real all-MiniLM-L6-v2 vectors in the real OpenSearch with k-NN.
 */
@ExtendWith(OpenSearchExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchRecallITCase {

    private static final Instant DAY0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final int NEAR_DUPLICATES = 480;
    private static final int CUSTOMERS = 40;

    /** Cosines this close are a tie: the server scores in float, this test in double. */
    private static final double TIE = 1e-5;

    /** The distinct documents: the ones a question is really after. */
    private static final List<String> DISTINCT =
            List.of(
                    "The lighthouse foghorn sounded fourteen times during the March storm.",
                    "Harbour log: the foghorn activations doubled while the fog lasted two days.",
                    "A camping stove leaks gas at the valve; the customer smelled it in the tent.",
                    "Tent pole snapped in strong wind on the second night; replacement requested.",
                    "Refund of 79.90 EUR issued for a damaged coffee grinder.",
                    "Sleeping bag zipper broke after one week; the customer wants a repair.",
                    "Hiking boots leak water through the seams when crossing streams.",
                    "Headlamp battery drains overnight even when switched off.",
                    "Kayak paddle arrived with a cracked blade; photo attached to the ticket.",
                    "The customer asks whether the rain jacket is machine washable.",
                    "Order cancelled after three declined card payments in a row.",
                    "Password reset email never arrives; the customer cannot log in.",
                    "Warehouse inventory count found twelve missing trekking poles.",
                    "Delivery driver left the parcel at the wrong address next door.",
                    "The water filter cartridge clogs after filtering two litres.",
                    "Customer praises the down jacket: warm at minus fifteen degrees.",
                    "Bike rack scratched the car's paint; the customer wants compensation.",
                    "Gift card code rejected at checkout as already redeemed.",
                    "Climbing rope sheath shows wear after a single season.",
                    "Thermos keeps coffee hot for only two hours instead of twelve.");

    private static final List<String> QUERIES =
            List.of(
                    "how many times did the foghorn sound in the March storm",
                    "my parcel has not arrived and tracking shows nothing",
                    "gas leak from a camping stove",
                    "broken tent pole in the wind",
                    "refund for a broken grinder",
                    "zip of the sleeping bag is broken",
                    "waterproof boots are leaking",
                    "declined payments then the order was cancelled",
                    "cannot log in, no password reset mail",
                    "package delivered to the neighbour by mistake",
                    "inventory shortage of poles",
                    "tracking number not updated for my delivery",
                    "coffee does not stay warm",
                    "is the jacket washable",
                    "the return label for my parcel is missing");

    private LocalEmbeddingModel model;
    private OpenSearchConnection connection;
    private IndexSpec spec;
    private final List<Doc> docs = new ArrayList<>();

    /** One indexed document, with what the exact ranking needs. */
    private record Doc(
            String id, String entity, Instant start, Instant end, String type, float[] vector) {}

    @BeforeAll
    void indexACrowdedCorpus(OpenSearchTestIndex index) throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        TestSearchIndex test =
                TestSearchIndex.create(
                        index, LocalEmbeddingModel.MODEL_ID, LocalEmbeddingModel.DIMENSIONS);
        connection = test.connection;
        spec = test.spec;

        Random random = new Random(7);
        List<String> texts = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> entities = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        String[] troubles = {
            "parcel has not arrived, tracking shows no update",
            "delivery is late and the tracking page is empty",
            "package still not delivered, no tracking information",
            "where is my order, tracking number not found"
        };
        for (int i = 0; i < NEAR_DUPLICATES; i++) {
            String entity = "customer-" + random.nextInt(CUSTOMERS);
            Instant time = DAY0.plus(Duration.ofMinutes(random.nextInt(60 * 24 * 20)));
            texts.add(
                    String.format(
                            Locale.ROOT,
                            "%s ticket.opened at %s: ticketId: %d, orderId: %d, message: %s",
                            entity,
                            time,
                            300 + i,
                            1000 + random.nextInt(400),
                            troubles[random.nextInt(troubles.length)]));
            types.add("ticket.opened");
            entities.add(entity);
            times.add(time);
        }
        for (int i = 0; i < DISTINCT.size(); i++) {
            texts.add(DISTINCT.get(i));
            types.add(i % 2 == 0 ? "note.even" : "note.odd");
            entities.add("topic-" + i);
            times.add(DAY0.plus(Duration.ofDays(i)));
        }
        List<Embedding> vectors = model.embed(texts);
        List<IndexAction.Upsert> upserts = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            Doc doc =
                    new Doc(
                            "doc-" + i,
                            entities.get(i),
                            times.get(i),
                            times.get(i),
                            types.get(i),
                            vectors.get(i).vector());
            docs.add(doc);
            upserts.add(
                    IndexAction.upsert(doc.id())
                            .entity(doc.entity())
                            .window(doc.start(), doc.end())
                            .text(texts.get(i))
                            .vector(doc.vector())
                            .model(LocalEmbeddingModel.MODEL_ID)
                            .metadata(Map.of("event_types", List.of(doc.type())))
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
    void theDefaultSearchFindsTheExactTopTen() {
        Recall recall = recall(q -> q, d -> true);

        assertThat(recall.atTen()).isGreaterThanOrEqualTo(0.99);
        assertThat(recall.sameTop()).isEqualTo(QUERIES.size());
    }

    @Test
    void exactScoresAreOnTheGraphsScoreScale() {
        float[] vector = vector(QUERIES.get(0));
        SearchQuery.Builder query = SearchQuery.builder().vector(vector).k(5);
        SemanticSearch search = new SemanticSearch(connection);
        assertThat(search.scoresExactly(spec.alias(), query.build())).isTrue();
        Map<String, Double> exact = scores(search(query));
        Map<String, Double> graph = scores(search(query.exactMaxDocuments(0)));

        assertThat(search.scoresExactly(spec.alias(), query.build())).isFalse();
        exact.forEach(
                (id, score) -> {
                    assertThat(score)
                            .isCloseTo(
                                    (1 + Embedding.cosine(vector, doc(id).vector())) / 2,
                                    within(1e-4));
                    if (graph.containsKey(id)) {
                        assertThat(graph.get(id)).isCloseTo(score, within(1e-4));
                    }
                });
    }

    @Test
    void filteredSearchFindsTheExactTopTenAmongMatchingDocuments() {
        Recall recall =
                recall(
                        q -> q.filter("event_types", "ticket.opened"),
                        d -> d.type().equals("ticket.opened"));

        assertThat(recall.atTen()).isGreaterThanOrEqualTo(0.99);
        assertThat(recall.sameTop()).isEqualTo(QUERIES.size());
    }

    @Test
    void hybridFusesTheExactNearestNeighboursWithBm25() {
        SemanticSearch search = new SemanticSearch(connection);
        double found = 0;
        int sameTop = 0;
        for (String text : QUERIES) {
            SearchQuery hybrid =
                    SearchQuery.builder()
                            .vector(vector(text))
                            .text(text)
                            .k(10)
                            .hybrid(true)
                            .build();
            List<String> got = ids(search.search(spec.alias(), hybrid));
            // The same fusion over the exact cosine ranking and OpenSearch's own BM25 ranking.
            int depth = hybrid.hybridDepth();
            List<String> exactKnn = exact(vector(text), d -> true, depth);
            SearchQuery bm25 = SearchQuery.builder().text(text).k(depth).build();
            List<String> lexical = ids(search.search(spec.alias(), bm25));
            List<String> expected = fuse(exactKnn, lexical, 10);
            found += overlap(expected, got) / (double) expected.size();
            sameTop += expected.get(0).equals(got.get(0)) ? 1 : 0;
        }
        assertThat(found / QUERIES.size()).isGreaterThanOrEqualTo(0.99);
        assertThat(sameTop).isEqualTo(QUERIES.size());
    }

    @Test
    void theQuestionAboutTheFoghornFindsTheFoghornFirst() {
        List<SearchHit> hits =
                search(
                        SearchQuery.builder()
                                .vector(vector(QUERIES.get(0)))
                                .k(5)
                                .exactMaxDocuments(0));

        assertThat(hits.get(0).firstLine()).contains("foghorn");
    }

    @Test
    void byEntityReturnsEachEntitysBestDocumentOnce() {
        String text = QUERIES.get(1);
        List<SearchHit> hits =
                search(SearchQuery.builder().vector(vector(text)).k(10).byEntity(true));

        List<String> entities = hits.stream().map(SearchHit::entity).toList();
        assertThat(entities).hasSize(10).doesNotHaveDuplicates();
        // Exactly: rank every document, keep each entity's first.
        List<String> expected = new ArrayList<>();
        Map<String, String> bestDoc = new LinkedHashMap<>();
        for (String id : exact(vector(text), d -> true, docs.size())) {
            Doc doc = doc(id);
            if (bestDoc.putIfAbsent(doc.entity(), id) == null && expected.size() < 10) {
                expected.add(doc.entity());
            }
        }
        float[] vector = vector(text);
        for (int i = 0; i < 10; i++) {
            assertThat(ties(vector, hits.get(i).id(), bestDoc.get(expected.get(i))))
                    .as("rank %d: %s, expected %s", i + 1, entities.get(i), expected.get(i))
                    .isTrue();
            assertThat(hits.get(i).id()).isEqualTo(bestDoc.get(hits.get(i).entity()));
        }
    }

    @Test
    void aTimeRangeKeepsDocumentsWhoseWindowOverlapsIt() {
        Instant since = DAY0.plus(Duration.ofDays(5));
        Instant until = DAY0.plus(Duration.ofDays(8));
        String text = QUERIES.get(1);

        List<SearchHit> hits =
                search(SearchQuery.builder().vector(vector(text)).k(10).since(since).until(until));

        Predicate<Doc> inRange = d -> !d.end().isBefore(since) && !d.start().isAfter(until);
        assertThat(hits).hasSize(10);
        assertThat(hits)
                .allSatisfy(
                        h -> {
                            assertThat(h.windowEnd()).isAfterOrEqualTo(since);
                            assertThat(h.windowStart()).isBeforeOrEqualTo(until);
                        });
        assertThat(tieAwareRecall(vector(text), exact(vector(text), inRange, 10), ids(hits)))
                .isEqualTo(1.0);
    }

    @Test
    void theCommandPrintsJsonAloneOnStdoutAndLogsOnStderr(OpenSearchTestIndex index)
            throws Exception {
        java.io.File err = java.io.File.createTempFile("search", ".err");
        err.deleteOnExit();
        Process process =
                new ProcessBuilder(
                                TestDirs.project("embedflow").toString(),
                                "search",
                                QUERIES.get(0),
                                "--json",
                                "--by-entity",
                                "--k",
                                "3",
                                "--since",
                                "2026-11-01",
                                "--opensearch",
                                index.node().httpUri().toString(),
                                "--index",
                                spec.alias())
                        .redirectError(ProcessBuilder.Redirect.to(err))
                        .start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        String stderr = java.nio.file.Files.readString(err.toPath());

        assertThat(process.exitValue()).as(stderr).isZero();
        JsonNode hits = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        assertThat(hits.isArray()).isTrue();
        assertThat(hits).hasSize(3);
        assertThat(hits.get(0).path("first_line").asText()).contains("foghorn");
        assertThat(stderr).contains("Loaded all-MiniLM-L6-v2");
    }

    /** Recall@10 averaged over the queries, and how many queries got the exact top hit first. */
    private record Recall(double atTen, int sameTop) {}

    private Recall recall(
            java.util.function.UnaryOperator<SearchQuery.Builder> configure,
            Predicate<Doc> matches) {
        double total = 0;
        int sameTop = 0;
        for (String text : QUERIES) {
            float[] vector = vector(text);
            List<String> expected = exact(vector, matches, 10);
            List<String> got =
                    ids(search(configure.apply(SearchQuery.builder().vector(vector).k(10))));
            total += tieAwareRecall(vector, expected, got);
            sameTop += !got.isEmpty() && ties(vector, got.get(0), expected.get(0)) ? 1 : 0;
        }
        return new Recall(total / QUERIES.size(), sameTop);
    }

    /** The ids of the {@code n} documents nearest to {@code vector} by cosine, computed here. */
    private List<String> exact(float[] vector, Predicate<Doc> matches, int n) {
        return docs.stream()
                .filter(matches)
                .sorted(
                        Comparator.comparingDouble(
                                (Doc d) -> -Embedding.cosine(vector, d.vector())))
                .limit(n)
                .map(Doc::id)
                .toList();
    }

    /**
     * The share of {@code expected} (the exact top n) that {@code got} found, where a document
     * scoring as high as the exact n-th (within float rounding) counts as found: near-duplicate
     * texts can tie, and the server computes in float.
     */
    private double tieAwareRecall(float[] vector, List<String> expected, List<String> got) {
        double nth = Embedding.cosine(vector, doc(expected.get(expected.size() - 1)).vector());
        long found =
                got.stream()
                        .filter(id -> Embedding.cosine(vector, doc(id).vector()) >= nth - TIE)
                        .count();
        return Math.min(found, expected.size()) / (double) expected.size();
    }

    /** Whether documents {@code a} and {@code b} are equally near {@code vector}. */
    private boolean ties(float[] vector, String a, String b) {
        return Math.abs(
                        Embedding.cosine(vector, doc(a).vector())
                                - Embedding.cosine(vector, doc(b).vector()))
                <= TIE;
    }

    private static List<String> fuse(List<String> a, List<String> b, int k) {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (List<String> ranking : List.of(a, b)) {
            for (int i = 0; i < ranking.size(); i++) {
                scores.merge(ranking.get(i), 1.0 / (SemanticSearch.RRF_K + i + 1), Double::sum);
            }
        }
        return scores.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(k)
                .map(Map.Entry::getKey)
                .toList();
    }

    private static Map<String, Double> scores(List<SearchHit> hits) {
        Map<String, Double> scores = new LinkedHashMap<>();
        hits.forEach(h -> scores.put(h.id(), h.score()));
        return scores;
    }

    private static int overlap(List<String> a, List<String> b) {
        Set<String> common = new HashSet<>(a);
        common.retainAll(b);
        return common.size();
    }

    private Doc doc(String id) {
        return docs.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow();
    }

    private float[] vector(String text) {
        return model.embed(text).vector();
    }

    private List<SearchHit> search(SearchQuery.Builder query) {
        return new SemanticSearch(connection).search(spec.alias(), query.build());
    }

    private static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::id).toList();
    }

    private static org.assertj.core.data.Offset<Double> within(double offset) {
        return org.assertj.core.data.Offset.offset(offset);
    }
}
