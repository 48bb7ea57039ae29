package dev.embedflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.sink.IndexAction;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LatestWinsFilterTest {

    private KeyedOneInputStreamOperatorTestHarness<String, SequencedAction, IndexAction> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new LatestWinsFilter(Duration.ofDays(1))),
                        SequencedAction::entity,
                        Types.STRING);
        // IndexAction has its own serializer (no Kryo), as in the job.
        harness.setup(
                TypeInformation.of(IndexAction.class).createSerializer(new SerializerConfigImpl()));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void documentEmittedBeforeTheEntityWasDeletedDoesNotComeBack() throws Exception {
        send(new SequencedAction("c-1", 4, IndexAction.deleteEntity("c-1", List.of())));
        send(upsert("c-1", "c-1@2026-03-01T10:00:00Z", 2, "before the delete"));
        send(upsert("c-1", "c-1@2026-03-01T11:00:00Z", 5, "after the delete"));

        assertThat(harness.extractOutputValues())
                .hasSize(2)
                .first()
                .isInstanceOf(IndexAction.DeleteEntity.class);
        assertThat(texts()).containsExactly("after the delete");
    }

    @Test
    void olderVersionsOfADocumentPassForTheIndexToRefuse() throws Exception {
        // External versioning in OpenSearch keeps the newest; the filter keeps no state per id.
        send(upsert("c-1", "c-1", 5, "version five"));
        send(upsert("c-1", "c-1", 3, "version three"));

        assertThat(texts()).containsExactly("version five", "version three");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void entitiesDoNotInterfere() throws Exception {
        send(upsert("c-1", "c-1", 9, "c-1 nine"));
        send(upsert("c-2", "c-2", 1, "c-2 one"));

        assertThat(texts()).containsExactly("c-1 nine", "c-2 one");
    }

    private void send(SequencedAction action) throws Exception {
        harness.processElement(action, 0);
    }

    private static SequencedAction upsert(String entity, String id, long sequence, String text) {
        return new SequencedAction(
                entity,
                sequence,
                IndexAction.upsert(id)
                        .entity(entity)
                        .text(text)
                        .vector(new float[] {1f})
                        .model("m")
                        .build());
    }

    private List<String> texts() {
        return harness.extractOutputValues().stream()
                .filter(a -> a instanceof IndexAction.Upsert)
                .map(a -> ((IndexAction.Upsert) a).text())
                .toList();
    }
}
