package dev.embedflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.testing.KnnTestIndexes;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.core.search.Hit;

/**
 * The foundation end to end: texts embedded by the real model through the embedding server over
 * HTTP, indexed as 384-dimensional lucene HNSW vectors in the real OpenSearch, found by meaning.
 */
@ExtendWith(OpenSearchExtension.class)
class SemanticSearchOnRealPartsITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> DOCUMENTS =
            Map.of(
                    "shipment-77",
                    "Shipment 77 for order 1042 left the warehouse three days late; the parcel is still in transit.",
                    "ticket-310",
                    "Support ticket 310: the customer cannot log in after resetting the password.",
                    "order-1043",
                    "Order 1043: two pairs of running shoes and a rain jacket, paid by card.",
                    "customer-18",
                    "Customer 18 upgraded to the premium plan and added a second billing address.",
                    "refund-55",
                    "Refund 55 of 79.90 EUR was issued for a damaged coffee grinder.");

    private static LocalEmbeddingModel model;
    private static EmbeddingServer server;

    @BeforeAll
    static void startEmbeddingServer() throws Exception {
        model = LocalEmbeddingModel.acquireShared();
        server = EmbeddingServer.builder(model).port(0).build().start();
    }

    @AfterAll
    static void stopEmbeddingServer() {
        if (server != null) {
            server.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    void aQueryInOtherWordsFindsTheDocumentItMeans(OpenSearchTestIndex index) throws Exception {
        List<String> ids = new ArrayList<>(DOCUMENTS.keySet());
        List<List<Float>> vectors = embedOverHttp(ids.stream().map(DOCUMENTS::get).toList());
        assertThat(vectors).allSatisfy(v -> assertThat(v).hasSize(LocalEmbeddingModel.DIMENSIONS));

        KnnTestIndexes.createLuceneIndex(index, LocalEmbeddingModel.DIMENSIONS);
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Doc doc = new Doc(DOCUMENTS.get(id), vectors.get(i));
            index.client().index(r -> r.index(index.name()).id(id).document(doc));
        }
        index.client().indices().refresh(r -> r.index(index.name()));

        assertThat(topHit(index, "my package has not arrived yet, the delivery is delayed"))
                .isEqualTo("shipment-77");
        assertThat(topHit(index, "I forgot my credentials and can't sign in"))
                .isEqualTo("ticket-310");
        assertThat(topHit(index, "money returned for a broken kitchen appliance"))
                .isEqualTo("refund-55");
    }

    private static String topHit(OpenSearchTestIndex index, String query) throws Exception {
        List<Float> vector = embedOverHttp(List.of(query)).get(0);
        List<Hit<Doc>> hits = KnnTestIndexes.knnSearch(index, vector, 3, Doc.class).hits().hits();
        assertThat(hits).hasSize(3);
        return hits.get(0).id();
    }

    private static List<List<Float>> embedOverHttp(List<String> texts) throws Exception {
        String body =
                JSON.writeValueAsString(
                        Map.of("model", LocalEmbeddingModel.MODEL_ID, "input", texts));
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(server.baseUri() + "/v1/embeddings"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<List<Float>> vectors = new ArrayList<>();
        for (JsonNode item : JSON.readTree(response.body()).get("data")) {
            List<Float> vector = new ArrayList<>();
            item.get("embedding").forEach(v -> vector.add(v.floatValue()));
            vectors.add(vector);
        }
        return vectors;
    }

    /** The indexed document: its text and its vector. */
    record Doc(String title, List<Float> embedding) {}
}
