package dev.embedflow.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.testing.KnnTestIndexes;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.PluginStats;
import org.opensearch.client.opensearch.cat.plugins.PluginsRecord;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.opensearch.nodes.info.NodeInfo;
import org.opensearch.client.opensearch.nodes.info.NodesInfoMetric;

/** The assembled OpenSearch distribution runs k-NN search with the lucene engine. */
@ExtendWith(OpenSearchExtension.class)
class OpenSearchKnnITCase {

    private static final int DIMENSION = 384;
    private static final int DOCUMENTS = 20;

    /** The documents of the test indexes. */
    record Doc(String title, List<Float> embedding) {}

    @Test
    void knnQueryReturnsTheDocumentWhoseVectorIsClosestToTheQueryFirst(OpenSearchTestIndex index)
            throws IOException {
        List<List<Float>> vectors = randomUnitVectors(DOCUMENTS, 42);
        createKnnIndex(index);
        for (int i = 0; i < DOCUMENTS; i++) {
            indexDocument(index, "doc-" + i, "document number " + i, vectors.get(i));
        }
        index.client().indices().refresh(r -> r.index(index.name()));

        for (int target : new int[] {7, 13}) {
            List<Float> query = nearby(vectors.get(target), 0.3, 1000 + target);

            List<Hit<Doc>> hits = knnSearch(index, query, 3).hits().hits();

            assertThat(hits).extracting(Hit::id).hasSize(3).first().isEqualTo("doc-" + target);
            assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
        }
    }

    @Test
    void nodeRunsTheKnnPluginOnTopOfThePainlessModule(OpenSearchClient client) throws IOException {
        List<PluginsRecord> catPlugins = client.cat().plugins().valueBody();
        NodeInfo node =
                client.nodes()
                        .info(r -> r.metric(NodesInfoMetric.Plugins))
                        .nodes()
                        .values()
                        .iterator()
                        .next();

        assertThat(catPlugins).extracting(PluginsRecord::component).contains("opensearch-knn");
        assertThat(node.plugins()).extracting(PluginStats::name).contains("opensearch-knn");
        assertThat(node.modules()).extracting(PluginStats::name).contains("lang-painless");
        assertThat(node.plugins())
                .filteredOn(plugin -> plugin.name().equals("opensearch-knn"))
                .singleElement()
                .satisfies(knn -> assertThat(knn.extendedPlugins()).contains("lang-painless"));
    }

    @Test
    void restartedNodeKeepsItsIndexAndAnswersOnTheSamePort(
            OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        List<Float> vector = randomUnitVectors(1, 7).get(0);
        createKnnIndex(index);
        indexDocument(index, "survivor", "kept across a restart", vector);
        index.client().indices().refresh(r -> r.index(index.name()));
        var uriBefore = node.httpUri();
        long pidBefore = node.pid().orElseThrow();

        try {
            node.stop();

            assertThat(node.isRunning()).isFalse();
            assertThatThrownBy(() -> get(node.httpUri() + "/"))
                    .as("nothing answers on %s while the node is stopped", uriBefore)
                    .isInstanceOf(ConnectException.class);

            node.start();
        } finally {
            if (!node.isRunning()) {
                node.start();
            }
        }

        assertThat(node.httpUri()).isEqualTo(uriBefore);
        assertThat(node.pid().orElseThrow()).isNotEqualTo(pidBefore);
        assertThat(index.client().count(c -> c.index(index.name())).count()).isEqualTo(1);
        assertThat(knnSearch(index, vector, 1).hits().hits())
                .extracting(Hit::id)
                .containsExactly("survivor");
    }

    private static void createKnnIndex(OpenSearchTestIndex index) throws IOException {
        KnnTestIndexes.createLuceneIndex(index, DIMENSION);
    }

    private static void indexDocument(
            OpenSearchTestIndex index, String id, String title, List<Float> embedding)
            throws IOException {
        Doc document = new Doc(title, embedding);
        index.client().index(i -> i.index(index.name()).id(id).document(document));
    }

    private static SearchResponse<Doc> knnSearch(
            OpenSearchTestIndex index, List<Float> vector, int k) throws IOException {
        return KnnTestIndexes.knnSearch(index, vector, k, Doc.class);
    }

    /** {@code count} random unit vectors of {@link #DIMENSION} dimensions; the same for a seed. */
    private static List<List<Float>> randomUnitVectors(int count, long seed) {
        Random random = new Random(seed);
        List<List<Float>> vectors = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double[] values = new double[DIMENSION];
            for (int d = 0; d < DIMENSION; d++) {
                values[d] = random.nextGaussian();
            }
            vectors.add(normalized(values));
        }
        return vectors;
    }

    /** The unit vector of {@code base} plus Gaussian noise of the given per-component size. */
    private static List<Float> nearby(List<Float> base, double noise, long seed) {
        Random random = new Random(seed);
        double[] values = new double[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            values[d] = base.get(d) + noise * random.nextGaussian() / Math.sqrt(DIMENSION);
        }
        return normalized(values);
    }

    private static List<Float> normalized(double[] values) {
        double norm = 0;
        for (double value : values) {
            norm += value * value;
        }
        norm = Math.sqrt(norm);
        List<Float> vector = new ArrayList<>(values.length);
        for (double value : values) {
            vector.add((float) (value / norm));
        }
        return vector;
    }

    private static HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return http.send(
                HttpRequest.newBuilder(java.net.URI.create(uri)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
