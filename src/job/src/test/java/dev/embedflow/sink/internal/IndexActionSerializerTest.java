package dev.embedflow.sink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.deadletter.Origin;
import dev.embedflow.sink.IndexAction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class IndexActionSerializerTest {

    private static IndexAction roundTrip(IndexAction action) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        IndexActionSerializer.INSTANCE.serialize(action, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        IndexAction back = IndexActionSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        return back;
    }

    @Test
    void everyKindOfActionComesBackEqual() throws Exception {
        IndexAction upsert =
                IndexAction.upsert("customer-1@2026-03-01T00:00:00Z#1")
                        .entity("customer-1")
                        .window(
                                Instant.parse("2026-03-01T00:00:00Z"),
                                Instant.parse("2026-03-02T00:00:00.123456789Z"))
                        .text("x".repeat(70_000)) // beyond writeUTF's 64 KiB
                        .vector(new float[] {0.25f, -1f, Float.MIN_VALUE})
                        .model("all-MiniLM-L6-v2")
                        .contentHash("abc")
                        .metadata(
                                Map.of(
                                        "event_count",
                                        3,
                                        "event_types",
                                        List.of("a", "b"),
                                        "ratio",
                                        0.5,
                                        "flag",
                                        true))
                        .origins(
                                List.of(
                                        Origin.kafka("events", 2, 42, 1000),
                                        Origin.file("docs/a.md", 7L),
                                        Origin.file("docs/b.md", null)))
                        .build();
        IndexAction latest =
                IndexAction.upsert("e").text("t").vector(new float[0]).model("m").build();

        assertThat(roundTrip(upsert)).isEqualTo(upsert);
        assertThat(roundTrip(latest)).isEqualTo(latest);
        IndexAction delete = IndexAction.delete("d#0", List.of(Origin.kafka("t", 0, 1, 2)));
        assertThat(roundTrip(delete)).isEqualTo(delete);
        IndexAction entity = IndexAction.deleteEntity("customer-9", List.of());
        assertThat(roundTrip(entity)).isEqualTo(entity);
    }

    @Test
    void flinkPicksThisSerializerForIndexActionsNotKryo() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);

        assertThat(TypeInformation.of(IndexAction.class).createSerializer(config))
                .isSameAs(IndexActionSerializer.INSTANCE);
    }
}
