package dev.embedflow.testing;

import java.io.IOException;
import java.util.List;
import org.opensearch.client.opensearch._types.mapping.KnnVectorMethod;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch.core.SearchResponse;

/**
 * Test indexes with a {@code title} text field and an {@code embedding} k-NN vector field (HNSW,
 * the lucene engine, cosine similarity: what the Maven Central build of k-NN supports), and k-NN
 * queries against them.
 */
public final class KnnTestIndexes {

    public static final String TEXT_FIELD = "title";
    public static final String VECTOR_FIELD = "embedding";

    private KnnTestIndexes() {}

    /** Creates {@code index} with one shard, no replica and vectors of {@code dimension}. */
    public static void createLuceneIndex(OpenSearchTestIndex index, int dimension)
            throws IOException {
        KnnVectorMethod hnsw =
                KnnVectorMethod.of(m -> m.name("hnsw").engine("lucene").spaceType("cosinesimil"));
        Property vector = Property.of(p -> p.knnVector(k -> k.dimension(dimension).method(hnsw)));
        Property text = Property.of(p -> p.text(t -> t));
        index.client()
                .indices()
                .create(
                        c ->
                                c.index(index.name())
                                        .settings(
                                                s ->
                                                        s.knn(true)
                                                                .numberOfShards(1)
                                                                .numberOfReplicas(0))
                                        .mappings(
                                                m ->
                                                        m.properties(TEXT_FIELD, text)
                                                                .properties(VECTOR_FIELD, vector)));
    }

    /** The {@code k} documents nearest to {@code vector}, best first. */
    public static <T> SearchResponse<T> knnSearch(
            OpenSearchTestIndex index, List<Float> vector, int k, Class<T> documentType)
            throws IOException {
        return index.client()
                .search(
                        s ->
                                s.index(index.name())
                                        .size(k)
                                        .query(
                                                q ->
                                                        q.knn(
                                                                n ->
                                                                        n.field(VECTOR_FIELD)
                                                                                .vector(vector)
                                                                                .k(k))),
                        documentType);
    }
}
