package dev.embedflow.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.embedflow.chunk.LineChunker;
import dev.embedflow.chunk.TokenCounter;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.source.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Windows, late events, sessions, deletes and the unchanged filter, on Flink's operator harness.
 */
class EntityDocumentFunctionTest {

    private static final long T0 = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final String MODEL = "all-MiniLM-L6-v2";

    private KeyedOneInputStreamOperatorTestHarness<String, Event, ContextDocument> harness;
    private long nextOffset;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void tumblingWindowEmitsOneDocumentWhenTheWatermarkPassesItsEnd() throws Exception {
        start(WindowSpec.tumbling(Duration.ofHours(1), Duration.ZERO, WindowSpec.IdMode.HISTORY));

        send(event("customer-42", T0 + MINUTE, "order.placed"));
        send(event("customer-42", T0 + 2 * MINUTE, "order.shipped"));
        send(event("customer-7", T0 + 3 * MINUTE, "ticket.opened"));
        harness.processWatermark(T0 + HOUR - 2);
        assertThat(documents()).as("nothing before the window closes").isEmpty();

        harness.processWatermark(T0 + HOUR - 1);

        assertThat(documents())
                .extracting(ContextDocument::getId, ContextDocument::getEventCount)
                .containsExactlyInAnyOrder(
                        tuple("customer-42@2026-03-01T10:00:00Z", 2),
                        tuple("customer-7@2026-03-01T10:00:00Z", 1));
        ContextDocument doc = document("customer-42@2026-03-01T10:00:00Z");
        assertThat(doc.getEventTypes()).containsExactly("order.placed", "order.shipped");
        assertThat(doc.getWindowStart()).isEqualTo(T0);
        assertThat(doc.getWindowEnd()).isEqualTo(T0 + HOUR);
        assertThat(doc.getOrigins()).hasSize(2);
        assertThat(doc.getText()).contains("order.placed").contains("order.shipped");
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void lateEventWithinTheAllowedLatenessUpdatesTheSameDocument() throws Exception {
        start(
                WindowSpec.tumbling(
                        Duration.ofHours(1), Duration.ofMinutes(30), WindowSpec.IdMode.HISTORY));
        send(event("customer-42", T0 + MINUTE, "order.placed"));
        harness.processWatermark(T0 + HOUR + 10 * MINUTE);
        assertThat(documents()).hasSize(1);

        send(event("customer-42", T0 + 50 * MINUTE, "order.cancelled"));

        List<ContextDocument> docs = documents();
        assertThat(docs).hasSize(2);
        assertThat(docs.get(1).getId()).isEqualTo(docs.get(0).getId());
        assertThat(docs.get(1).getEventCount()).isEqualTo(2);
        assertThat(docs.get(1).getText()).contains("order.cancelled");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void eventLaterThanTheAllowedLatenessIsADeadLetterWithTheReason() throws Exception {
        start(
                WindowSpec.tumbling(
                        Duration.ofHours(1), Duration.ofMinutes(30), WindowSpec.IdMode.HISTORY));
        send(event("customer-42", T0 + MINUTE, "order.placed"));
        harness.processWatermark(T0 + 2 * HOUR);

        send(event("customer-42", T0 + 5 * MINUTE, "order.cancelled"));

        assertThat(documents()).hasSize(1);
        assertThat(deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("arrived after its window closed"));
        assertThat(harness.numKeyedStateEntries()).isPositive();
    }

    @Test
    void slidingWindowsEachGetTheEvent() throws Exception {
        start(
                WindowSpec.sliding(
                        Duration.ofHours(1),
                        Duration.ofMinutes(30),
                        Duration.ZERO,
                        WindowSpec.IdMode.HISTORY));

        send(event("customer-42", T0 + 40 * MINUTE, "order.placed"));
        harness.processWatermark(T0 + 2 * HOUR);

        assertThat(documents())
                .extracting(ContextDocument::getId)
                .containsExactly(
                        "customer-42@2026-03-01T10:00:00Z", "customer-42@2026-03-01T10:30:00Z");
    }

    @Test
    void lateEventMergingTwoFiredSessionsDeletesTheDocumentOfTheLaterOne() throws Exception {
        start(
                WindowSpec.session(
                        Duration.ofMinutes(10), Duration.ofHours(1), WindowSpec.IdMode.HISTORY));
        send(event("customer-42", T0, "cart.created"));
        send(event("customer-42", T0 + 15 * MINUTE, "cart.abandoned"));
        harness.processWatermark(T0 + 40 * MINUTE);
        assertThat(documents())
                .extracting(ContextDocument::getId)
                .containsExactly(
                        "customer-42@2026-03-01T10:00:00Z", "customer-42@2026-03-01T10:15:00Z");

        send(event("customer-42", T0 + 8 * MINUTE, "cart.updated"));

        ContextDocument merged = documents().get(2);
        assertThat(merged.getId()).isEqualTo("customer-42@2026-03-01T10:00:00Z");
        assertThat(merged.getEventCount()).isEqualTo(3);
        assertThat(merged.getWindowEnd()).isEqualTo(T0 + 25 * MINUTE);
        assertThat(deletes())
                .containsExactly(
                        DeleteRequest.document("customer-42", "customer-42@2026-03-01T10:15:00Z"));
        assertThat(documents())
                .extracting(ContextDocument::getSequence)
                .as("the entity's outputs are numbered in order")
                .containsExactly(1L, 2L, 4L);
        assertThat(deletes().get(0).getSequence()).isEqualTo(3L);
    }

    @Test
    void deleteDropsOpenWindowsAndKeepsOlderLateEventsOut() throws Exception {
        start(
                WindowSpec.tumbling(
                        Duration.ofHours(1), Duration.ofHours(1), WindowSpec.IdMode.LATEST));
        send(event("customer-42", T0 + MINUTE, "order.placed"));

        send(delete("customer-42", T0 + 2 * MINUTE));
        send(event("customer-42", T0 + MINUTE + 1, "order.shipped"));
        send(event("customer-42", T0 + 3 * MINUTE, "account.reopened"));
        harness.processWatermark(T0 + HOUR);

        assertThat(deletes()).containsExactly(new DeleteRequest("customer-42", null, null));
        assertThat(deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("not newer than the delete"));
        assertThat(documents())
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.getId()).isEqualTo("customer-42");
                            assertThat(d.getEventTypes()).containsExactly("account.reopened");
                        });
    }

    @Test
    void aDocumentKnownToHaveChangedGoesStraightOnAndTheIndexJudgesTheRest() throws Exception {
        start(WindowSpec.none(WindowSpec.IdMode.LATEST));
        Event placed = event("customer-42", T0, "order.placed");
        Event shipped = event("customer-42", T0 + MINUTE, "order.shipped");

        send(placed); // new to the state: the index may hold it from before
        send(shipped); // differs from the last emitted: known changed
        send(shipped); // the same as the last emitted: indexed, or dead-lettered on its way?

        assertThat(documents())
                .extracting(ContextDocument::getId, ContextDocument::isCompareWithIndex)
                .containsExactly(
                        tuple("customer-42", true),
                        tuple("customer-42", false),
                        tuple("customer-42", true));
        assertThat(documents().get(1).getContentHash())
                .isEqualTo(documents().get(2).getContentHash())
                .isNotEqualTo(documents().get(0).getContentHash());
    }

    @Test
    void oneDocumentPerEventKeepsNoHashesAndLeavesEveryDocumentToTheIndex() throws Exception {
        start(WindowSpec.none(WindowSpec.IdMode.HISTORY));
        Event placed = event("customer-42", T0, "order.placed");

        send(placed);
        send(placed); // a replay

        assertThat(documents())
                .extracting(ContextDocument::getId, ContextDocument::isCompareWithIndex)
                .containsExactly(
                        tuple("customer-42@2026-03-01T10:00:00Z#e0", true),
                        tuple("customer-42@2026-03-01T10:00:00Z#e0", true));
        // The entity's sequence only: no emitted-hashes or chunk-counts entry.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void whatWasLastEmittedSurvivesACheckpointRestore() throws Exception {
        WindowSpec spec = WindowSpec.none(WindowSpec.IdMode.LATEST);
        start(spec);
        Event placed = event("customer-42", T0, "order.placed");
        send(placed);
        var snapshot = harness.snapshot(1, T0);
        harness.close();

        harness = newHarness(spec);
        harness.initializeState(snapshot);
        harness.open();
        send(placed);
        send(event("customer-42", T0 + MINUTE, "order.shipped"));

        assertThat(documents())
                .extracting(ContextDocument::isCompareWithIndex)
                .as("the replay is for the index to judge; the next change is known as one")
                .containsExactly(true, false);
    }

    @Test
    void windowTooLongForTheModelIsSplitIntoChunksAndAShorterLaterVersionDeletesThem()
            throws Exception {
        start(WindowSpec.tumbling(Duration.ofHours(1), Duration.ZERO, WindowSpec.IdMode.LATEST));
        for (int i = 0; i < 40; i++) {
            send(event("customer-42", T0 + i * MINUTE, "page.viewed"));
        }
        harness.processWatermark(T0 + HOUR - 1);

        List<ContextDocument> chunks = documents();
        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks)
                .extracting(ContextDocument::getId)
                .startsWith("customer-42#0", "customer-42#1");
        assertThat(chunks).allSatisfy(c -> assertThat(c.getChunkCount()).isEqualTo(chunks.size()));
        assertThat(chunks)
                .allSatisfy(
                        c ->
                                assertThat(TokenCounter.estimate(2).count(c.getText()))
                                        .isLessThanOrEqualTo(256));

        send(event("customer-42", T0 + HOUR + MINUTE, "order.placed"));
        harness.processWatermark(T0 + 2 * HOUR - 1);

        assertThat(documents().get(documents().size() - 1).getId()).isEqualTo("customer-42");
        List<String> deletedIds = deletes().stream().map(DeleteRequest::getDocumentId).toList();
        List<String> chunkIds = chunks.stream().map(ContextDocument::getId).toList();
        assertThat(deletedIds).containsExactlyElementsOf(chunkIds);
    }

    @Test
    void aNewModelReembedsUnchangedText() {
        assertThat(EntityDocumentFunction.contentHash("same text", "model-a"))
                .isNotEqualTo(EntityDocumentFunction.contentHash("same text", "model-b"))
                .isEqualTo(EntityDocumentFunction.contentHash("same text", "model-a"));
    }

    private void start(WindowSpec spec) throws Exception {
        harness = newHarness(spec);
        harness.open();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, ContextDocument>
            newHarness(WindowSpec spec) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new EntityDocumentFunction(
                                spec,
                                DocumentRenderer.withDefaults(),
                                new LineChunker(TokenCounter.estimate(2), 256),
                                MODEL,
                                Duration.ofDays(7))),
                Event::getEntity,
                Types.STRING);
    }

    private void send(Event event) throws Exception {
        harness.processElement(event, event.getEventTime());
    }

    private Event event(String entity, long time, String type) {
        long offset = nextOffset++;
        return new Event(
                entity,
                time,
                type,
                "e" + offset,
                "{\"n\":" + offset + "}",
                false,
                "events",
                0,
                offset,
                time);
    }

    private Event delete(String entity, long time) {
        long offset = nextOffset++;
        return new Event(entity, time, null, null, null, true, "events", 0, offset, time);
    }

    private List<ContextDocument> documents() {
        return harness.extractOutputValues();
    }

    private ContextDocument document(String id) {
        return documents().stream().filter(d -> d.getId().equals(id)).findFirst().orElseThrow();
    }

    private List<DeleteRequest> deletes() {
        return values(harness.getSideOutput(EntityDocumentFunction.DELETES));
    }

    private List<DeadLetter> deadLetters() {
        return values(harness.getSideOutput(EntityDocumentFunction.DEAD_LETTERS));
    }

    private static <T> List<T> values(java.util.Collection<StreamRecord<T>> records) {
        List<T> values = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> values.add(r.getValue()));
        }
        return values;
    }
}
