package dev.embedflow.sink;

import dev.embedflow.deadletter.Origin;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.opensearch.client.opensearch.core.GetResponse;

/** Small documents and index helpers for the sink's integration tests. */
final class SinkTestSupport {

    static final int DIMENSION = 4;
    static final String MODEL = "test-model";

    private SinkTestSupport() {}

    static OpenSearchConnectionConfig connection(OpenSearchTestIndex index) {
        return OpenSearchConnectionConfig.builder().host(index.node().httpUri()).build();
    }

    /**
     * A spec whose alias is the test's index name and whose index is {@code <name>-test-model-v1}.
     */
    static IndexSpec spec(OpenSearchTestIndex index, int dimension) {
        return IndexSpec.builder()
                .baseName(index.name())
                .model(MODEL)
                .dimension(dimension)
                .replicas(0)
                .build();
    }

    static IndexAction.Upsert upsert(String entity, int window, String text) {
        Instant start = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(3600L * window);
        return IndexAction.upsert(entity + "@" + start)
                .entity(entity)
                .window(start, start.plusSeconds(3600))
                .text(text)
                .vector(new float[] {1f, window + 1f, 0.5f, text.length()})
                .model(MODEL)
                .contentHash(Integer.toHexString(text.hashCode()))
                .metadata(Map.of("event_types", List.of("order_placed"), "event_count", 1))
                .origins(List.of(Origin.kafka("orders", 0, window, 1_000L + window)))
                .build();
    }

    static long count(OpenSearchTestIndex index, String indexName) throws IOException {
        index.client().indices().refresh(r -> r.index(indexName));
        return index.client().count(c -> c.index(indexName)).count();
    }

    @SuppressWarnings("rawtypes")
    static String text(OpenSearchTestIndex index, String indexName, String id) throws IOException {
        GetResponse<Map> doc = index.client().get(g -> g.index(indexName).id(id), Map.class);
        return doc.found() ? (String) doc.source().get("text") : null;
    }
}
