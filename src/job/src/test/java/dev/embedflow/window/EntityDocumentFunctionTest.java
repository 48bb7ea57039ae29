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
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
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
        // At processing time 0 the numbering starts at 1,000 (a thousand per millisecond).
        assertThat(documents())
                .extracting(ContextDocument::getSequence)
                .as("the entity's outputs are numbered in order")
                .containsExactly(1_000L, 1_001L, 1_003L);
        assertThat(deletes().get(0).getSequence()).isEqualTo(1_002L);
    }

    @Test
    void sequenceNumbersKeepGrowingWithProcessingTimeSoThatExpiredStateCannotGoBack()
            throws Exception {
        start(WindowSpec.none(WindowSpec.IdMode.LATEST));
        send(event("customer-42", T0, "order.placed"));
        send(event("customer-42", T0 + MINUTE, "order.paid"));
        // As if the entity's state had expired: a later emission still gets a larger number.
        harness.setProcessingTime(5_000);
        send(event("customer-42", T0 + 2 * MINUTE, "order.shipped"));

        assertThat(documents())
                .extracting(ContextDocument::getSequence)
                .containsExactly(1_000L, 1_001L, 5_000_000L);
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
    void oneDocumentPerEventKeepsNoHashesAndAsksTheIndexNothing() throws Exception {
        start(WindowSpec.none(WindowSpec.IdMode.HISTORY));
        Event placed = event("customer-42", T0, "order.placed");

        send(placed);
        send(placed); // a replay

        assertThat(documents())
                .extracting(ContextDocument::getId, ContextDocument::isCompareWithIndex)
                .containsExactly(
                        tuple("customer-42@2026-03-01T10:00:00Z#e0", false),
                        tuple("customer-42@2026-03-01T10:00:00Z#e0", false));
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
    void anOpenWindowIsPublishedAtMostEveryUpdateIntervalWhileEventsArrive() throws Exception {
        start(
                WindowSpec.tumbling(Duration.ofHours(1), Duration.ZERO, WindowSpec.IdMode.HISTORY)
                        .withUpdateInterval(Duration.ofSeconds(2)));
        String id = "customer-42@2026-03-01T10:00:00Z";

        harness.setProcessingTime(1_000);
        send(event("customer-42", T0 + MINUTE, "order.placed"));
        harness.setProcessingTime(1_500);
        send(event("customer-42", T0 + 2 * MINUTE, "order.paid"));
        harness.setProcessingTime(2_999);
        assertThat(documents()).as("not before the interval has passed").isEmpty();

        harness.setProcessingTime(3_000);
        assertThat(documents())
                .as("one update with both events, though two arrived")
                .extracting(
                        ContextDocument::getId,
                        ContextDocument::getEventCount,
                        ContextDocument::getNewestEventTime)
                .containsExactly(tuple(id, 2, T0 + 2 * MINUTE));

        harness.setProcessingTime(10_000);
        assertThat(documents()).as("no events, no update").hasSize(1);

        send(event("customer-42", T0 + 3 * MINUTE, "order.shipped"));
        harness.setProcessingTime(11_999);
        assertThat(documents()).hasSize(1);
        harness.setProcessingTime(12_000);
        assertThat(documents())
                .extracting(ContextDocument::getId, ContextDocument::getEventCount)
                .containsExactly(tuple(id, 2), tuple(id, 3));

        harness.processWatermark(T0 + HOUR - 1);
        assertThat(documents()).as("closing adds nothing the last update did not say").hasSize(2);

        send(event("customer-42", T0 + 4 * MINUTE, "order.returned"));
        harness.processWatermark(T0 + HOUR + 10 * MINUTE);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aWindowClosingDoesNotCancelTheUpdateAnotherWindowOfItsEntityWaitsFor() throws Exception {
        // Processing-time timers are one per key and timestamp: two windows of one entity whose
        // updates fall due at the same millisecond share one timer.
        start(
                WindowSpec.tumbling(Duration.ofHours(1), Duration.ZERO, WindowSpec.IdMode.HISTORY)
                        .withUpdateInterval(Duration.ofSeconds(2)));
        harness.setProcessingTime(1_000);
        send(event("customer-42", T0 + MINUTE, "order.placed"));
        send(event("customer-42", T0 + HOUR + MINUTE, "order.paid"));
        harness.processWatermark(T0 + HOUR - 1); // the first window closes
        assertThat(documents())
                .extracting(ContextDocument::getId)
                .containsExactly("customer-42@2026-03-01T10:00:00Z");

        harness.setProcessingTime(3_000);

        assertThat(documents())
                .as("the open second window's update still comes")
                .extracting(ContextDocument::getId)
                .containsExactly(
                        "customer-42@2026-03-01T10:00:00Z", "customer-42@2026-03-01T11:00:00Z");
    }

    @Test
    void aWindowClosingWithEventsAfterItsLastUpdateIsPublishedOnceMore() throws Exception {
        start(
                WindowSpec.tumbling(Duration.ofHours(1), Duration.ZERO, WindowSpec.IdMode.LATEST)
                        .withUpdateInterval(Duration.ofSeconds(2)));

        send(event("customer-42", T0 + MINUTE, "order.placed"));
        harness.setProcessingTime(2_000);
        send(event("customer-42", T0 + 2 * MINUTE, "order.paid"));
        harness.processWatermark(T0 + HOUR - 1);

        assertThat(documents())
                .extracting(ContextDocument::getId, ContextDocument::getEventCount)
                .containsExactly(tuple("customer-42", 1), tuple("customer-42", 2));
        harness.setProcessingTime(60_000);
        assertThat(documents()).as("the pending update went with the window").hasSize(2);
    }

    @Test
    void aSessionKeepsTwoTimersHoweverManyEventsExtendIt() throws Exception {
        start(
                WindowSpec.session(
                        Duration.ofMinutes(30), Duration.ofMinutes(10), WindowSpec.IdMode.HISTORY));

        for (int i = 0; i < 20; i++) {
            send(event("customer-42", T0 + i * MINUTE, "page.viewed"));
        }

        assertThat(harness.numEventTimeTimers())
                .as("the end and the clean-up of the one session; superseded ones are deleted")
                .isEqualTo(2);
        harness.processWatermark(T0 + 19 * MINUTE + 30 * MINUTE);
        assertThat(documents())
                .filteredOn(d -> d.getChunk() == 0)
                .extracting(ContextDocument::getParentId, ContextDocument::getEventCount)
                .containsExactly(tuple("customer-42@2026-03-01T10:00:00Z", 20));
    }

    @Test
    void eachEventIsOneStateEntryAndOldEntriesBeyondTheDocumentAreDropped() throws Exception {
        start(
                WindowSpec.tumbling(Duration.ofHours(1), Duration.ZERO, WindowSpec.IdMode.HISTORY),
                new DocumentRenderer(DocumentRenderer.DEFAULT_TEMPLATE, 3));

        for (int i = 0; i < 7; i++) {
            send(event("customer-42", T0 + i * MINUTE, "page.viewed"));
        }
        // window state + 7 events (under twice the 3 shown: not compacted yet) + sequence
        int entries = harness.numKeyedStateEntries();
        send(event("customer-42", T0 + 7 * MINUTE, "page.viewed"));
        assertThat(harness.numKeyedStateEntries())
                .as("beyond twice the events shown, the older entries go")
                .isLessThan(entries + 1);
        for (int i = 8; i < 10; i++) {
            send(event("customer-42", T0 + i * MINUTE, "page.viewed"));
        }
        harness.processWatermark(T0 + HOUR - 1);

        ContextDocument document = documents().get(0);
        assertThat(document.getEventCount()).isEqualTo(10);
        assertThat(document.getText())
                .contains("10:07:00Z", "10:08:00Z", "10:09:00Z")
                .doesNotContain("10:06:00Z")
                .contains("(and 7 earlier events not shown)");
        assertThat(document.getOrigins()).hasSize(3);
    }

    @Test
    void theEventTimeLagGaugeIsProcessingTimeMinusTheWatermark() throws Exception {
        InterceptingOperatorMetricGroup operatorMetrics = new InterceptingOperatorMetricGroup();
        MockEnvironment environment =
                new MockEnvironmentBuilder()
                        .setMetricGroup(
                                new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                                    @Override
                                    public InternalOperatorMetricGroup getOrAddOperator(
                                            OperatorID id,
                                            String name,
                                            Map<String, String> additionalVariables) {
                                        return operatorMetrics;
                                    }
                                })
                        .build();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new EntityDocumentFunction(
                                        WindowSpec.none(WindowSpec.IdMode.LATEST),
                                        DocumentRenderer.withDefaults(),
                                        new LineChunker(TokenCounter.estimate(2), 256),
                                        MODEL,
                                        Duration.ofDays(7))),
                        Event::getEntity,
                        Types.STRING,
                        environment);
        harness.open();
        harness.processWatermark(T0);
        harness.setProcessingTime(T0 + 5 * MINUTE);
        send(event("customer-42", T0 + MINUTE, "order.placed"));

        Gauge<?> lag = (Gauge<?>) operatorMetrics.get("eventTimeLagMs");
        assertThat(lag.getValue()).isEqualTo(5 * MINUTE);
    }

    @Test
    void aNewModelReembedsUnchangedText() {
        assertThat(EntityDocumentFunction.contentHash("same text", "model-a"))
                .isNotEqualTo(EntityDocumentFunction.contentHash("same text", "model-b"))
                .isEqualTo(EntityDocumentFunction.contentHash("same text", "model-a"));
    }

    private void start(WindowSpec spec) throws Exception {
        start(spec, DocumentRenderer.withDefaults());
    }

    private void start(WindowSpec spec, DocumentRenderer renderer) throws Exception {
        harness = newHarness(spec, renderer);
        harness.open();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, ContextDocument>
            newHarness(WindowSpec spec) throws Exception {
        return newHarness(spec, DocumentRenderer.withDefaults());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, ContextDocument>
            newHarness(WindowSpec spec, DocumentRenderer renderer) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new EntityDocumentFunction(
                                spec,
                                renderer,
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
