package dev.embedflow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embedflow.cli.EmbedFlowCli;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.sink.IndexAction;
import dev.embedflow.sink.internal.BulkDocuments;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Index creation, the pre-flight check and alias promotion against the real OpenSearch. */
@ExtendWith(OpenSearchExtension.class)
class IndexLifecycleITCase {

    @Test
    void ensureIndexCreatesTheModelsShapeOnceAndRecordsTheModel(OpenSearchTestIndex index) {
        IndexSpec spec = spec(index, "all-MiniLM-L6-v2", 1, 384).build();
        try (OpenSearchConnection os = connect(index)) {
            IndexManager manager = new IndexManager(os);

            assertThat(manager.ensureIndex(spec)).isEqualTo(IndexManager.Outcome.CREATED);
            assertThat(manager.ensureIndex(spec)).isEqualTo(IndexManager.Outcome.EXISTS);
            manager.ensureAlias(spec);

            IndexInfo info = manager.describe(spec.alias()).orElseThrow();
            assertThat(info.name()).isEqualTo(index.name() + "-all-minilm-l6-v2-v1");
            assertThat(info.model()).contains("all-MiniLM-L6-v2");
            assertThat(info.dimension()).isEqualTo(384);
            assertThat(info.engine()).isEqualTo("lucene");
            assertThat(info.spaceType()).isEqualTo("cosinesimil");
            assertThat(info.aliases()).containsExactly(index.name());
        }
    }

    @Test
    void aMismatchNamesEveryDifferenceAndTheWayOut(OpenSearchTestIndex index) {
        try (OpenSearchConnection os = connect(index)) {
            IndexManager manager = new IndexManager(os);
            manager.ensureIndex(spec(index, "m", 1, 8).spaceType(SpaceType.L2).build());

            assertThatThrownBy(() -> manager.ensureIndex(spec(index, "m", 1, 16).build()))
                    .isInstanceOf(IndexMismatchException.class)
                    .hasMessageContaining("dimension: the index has 8, the model m produces 16")
                    .hasMessageContaining("space type: the index uses l2")
                    .hasMessageContaining("opensearch.index.version")
                    .hasMessageContaining("embedflow index promote");
        }
    }

    @Test
    void promoteRefusesAnIncompleteIndexThenMovesTheAliasAtomically(OpenSearchTestIndex index) {
        IndexSpec v1 = spec(index, "old-model", 1, 4).build();
        IndexSpec v2 = spec(index, "new-model", 2, 4).build();
        try (OpenSearchConnection os = connect(index)) {
            IndexManager manager = new IndexManager(os);
            manager.ensureIndex(v1);
            manager.ensureAlias(v1);
            manager.ensureIndex(v2);
            write(os, v1, 3);
            write(os, v2, 2);
            String host = index.node().httpUri().toString();

            EmbedFlowCli.Result refused =
                    cli(
                            "index",
                            "promote",
                            "--alias",
                            v1.alias(),
                            "--index",
                            v2.indexName(),
                            "--opensearch",
                            host);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("holds 2 documents").contains("holds 3");
            assertThat(manager.aliasTargets(v1.alias())).containsExactly(v1.indexName());

            write(os, v2, 3);
            EmbedFlowCli.Result promoted =
                    cli(
                            "index",
                            "promote",
                            "--alias",
                            v1.alias(),
                            "--index",
                            v2.indexName(),
                            "--opensearch",
                            host);
            assertThat(promoted.exitCode()).as(promoted.err()).isZero();
            assertThat(manager.aliasTargets(v1.alias())).containsExactly(v2.indexName());

            EmbedFlowCli.Result status =
                    cli("index", "status", "--alias", v1.alias(), "--opensearch", host);
            assertThat(status.out())
                    .contains("alias " + v1.alias() + " -> [" + v2.indexName() + "]")
                    .contains("model new-model, 4 dims, lucene/cosinesimil, 3 documents");
        }
    }

    private static IndexSpec.Builder spec(
            OpenSearchTestIndex index, String model, int version, int dimension) {
        return IndexSpec.builder()
                .baseName(index.name())
                .model(model)
                .version(version)
                .dimension(dimension)
                .replicas(0);
    }

    private static OpenSearchConnection connect(OpenSearchTestIndex index) {
        return OpenSearchConnection.open(
                OpenSearchConnectionConfig.builder().host(index.node().httpUri()).build());
    }

    private static void write(OpenSearchConnection os, IndexSpec spec, int documents) {
        ByteArrayOutputStream bulk = new ByteArrayOutputStream();
        for (int i = 0; i < documents; i++) {
            IndexAction.Upsert upsert =
                    IndexAction.upsert("doc-" + i)
                            .entity("e-" + i)
                            .text("document " + i)
                            .vector(new float[] {1, 2, 3, i + 1})
                            .model(spec.model())
                            .build();
            bulk.writeBytes(BulkDocuments.bulkLines(spec.indexName(), upsert, Instant.now()));
        }
        assertThat(
                        os.send("POST", "/_bulk", Map.of("refresh", "true"), bulk.toByteArray())
                                .body()
                                .path("errors")
                                .asBoolean())
                .isFalse();
    }

    private static EmbedFlowCli.Result cli(String... args) {
        return EmbedFlowCli.run(args);
    }
}
