package dev.embedflow.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.sink.IndexAction;
import dev.embedflow.sink.internal.BulkDocuments;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An EmbedFlow index on the test node for a model's vectors, and documents written to it (the
 * search tests of the e2e module and the Q&A service's tests).
 */
public final class TestSearchIndex {

    public final OpenSearchConnection connection;
    public final IndexSpec spec;

    private TestSearchIndex(OpenSearchConnection connection, IndexSpec spec) {
        this.connection = connection;
        this.spec = spec;
    }

    /**
     * Creates the index for {@code model}'s vectors and its alias, named after the test's index.
     */
    public static TestSearchIndex create(OpenSearchTestIndex index, String model, int dimension) {
        OpenSearchConnection connection =
                OpenSearchConnection.open(
                        OpenSearchConnectionConfig.builder().host(index.node().httpUri()).build());
        IndexSpec spec =
                IndexSpec.builder()
                        .baseName(index.name())
                        .model(model)
                        .dimension(dimension)
                        .replicas(0)
                        .build();
        IndexManager manager = new IndexManager(connection);
        manager.ensureIndex(spec);
        manager.ensureAlias(spec);
        return new TestSearchIndex(connection, spec);
    }

    /** Writes {@code upserts} in one bulk and refreshes, so that they are searchable. */
    public void write(List<IndexAction.Upsert> upserts) {
        ByteArrayOutputStream bulk = new ByteArrayOutputStream();
        for (IndexAction.Upsert upsert : upserts) {
            bulk.writeBytes(BulkDocuments.bulkLines(spec.indexName(), upsert, Instant.now()));
        }
        JsonNode response =
                connection
                        .send("POST", "/_bulk", Map.of("refresh", "true"), bulk.toByteArray())
                        .body();
        assertThat(response.path("errors").asBoolean()).as(response.toString()).isFalse();
    }
}
