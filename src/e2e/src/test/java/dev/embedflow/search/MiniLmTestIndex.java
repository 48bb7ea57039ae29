package dev.embedflow.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.model.LocalEmbeddingModel;
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
 * An EmbedFlow index for all-MiniLM-L6-v2 vectors on the test node, and documents written to it.
 */
final class MiniLmTestIndex {

    final OpenSearchConnection connection;
    final IndexSpec spec;

    private MiniLmTestIndex(OpenSearchConnection connection, IndexSpec spec) {
        this.connection = connection;
        this.spec = spec;
    }

    /** Creates the index and its alias, named after the test's index. */
    static MiniLmTestIndex create(OpenSearchTestIndex index) {
        OpenSearchConnection connection =
                OpenSearchConnection.open(
                        OpenSearchConnectionConfig.builder().host(index.node().httpUri()).build());
        IndexSpec spec =
                IndexSpec.builder()
                        .baseName(index.name())
                        .model(LocalEmbeddingModel.MODEL_ID)
                        .dimension(LocalEmbeddingModel.DIMENSIONS)
                        .replicas(0)
                        .build();
        IndexManager manager = new IndexManager(connection);
        manager.ensureIndex(spec);
        manager.ensureAlias(spec);
        return new MiniLmTestIndex(connection, spec);
    }

    /** Writes {@code upserts} in one bulk and refreshes, so that they are searchable. */
    void write(List<IndexAction.Upsert> upserts) {
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
