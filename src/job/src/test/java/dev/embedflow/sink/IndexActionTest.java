package dev.embedflow.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.deadletter.Origin;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class IndexActionTest {

    private static final IndexAction.Upsert UPSERT =
            IndexAction.upsert("customer-1@2026-01-01T00:00:00Z")
                    .entity("customer-1")
                    .window(
                            Instant.parse("2026-01-01T00:00:00Z"),
                            Instant.parse("2026-01-01T01:00:00Z"))
                    .text("Customer 1 placed two orders.")
                    .vector(new float[] {0.1f, 0.2f, 0.3f})
                    .model("all-MiniLM-L6-v2")
                    .contentHash("abc")
                    .metadata(Map.of("event_types", List.of("order_placed"), "event_count", 2))
                    .origins(List.of(Origin.kafka("orders", 0, 42, 1_000L)))
                    .build();

    @Test
    void everyActionSurvivesFlinkSerializationAndCopy() throws Exception {
        TypeSerializer<IndexAction> serializer =
                TypeInformation.of(IndexAction.class)
                        .createSerializer(new ExecutionConfig().getSerializerConfig());
        for (IndexAction action :
                List.of(
                        UPSERT,
                        IndexAction.delete("d-1", List.of(Origin.file("a.jsonl", 3L))),
                        IndexAction.deleteEntity("customer-1", List.of()))) {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(action, out);
            IndexAction back =
                    serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back).isEqualTo(action);
            assertThat(serializer.copy(action)).isEqualTo(action);
        }
    }
}
