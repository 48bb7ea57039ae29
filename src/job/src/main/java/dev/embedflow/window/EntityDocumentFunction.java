package dev.embedflow.window;

import dev.embedflow.chunk.LineChunker;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import dev.embedflow.source.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns one entity's events into documents, keyed by entity: event-time windows (tumbling, sliding,
 * session, or none), rendering, deterministic ids, deletes and the unchanged-content filter, all in
 * one keyed operator so that they share the entity's state.
 *
 * <ul>
 *   <li>A window fires when the watermark passes its end; an event that arrives later but within
 *       the allowed lateness updates the window and re-emits its document at once (same id); a
 *       later one goes to the dead-letter output with the reason.
 *   <li>Sessions that merge keep the earliest start; in history mode a document emitted under a
 *       start that no longer exists is deleted, so no stale document stays.
 *   <li>A delete event (tombstone or delete type) drops the entity's open windows, emits a delete
 *       of all its documents, and makes later-arriving events older than it dead letters, so a
 *       deleted entity stays deleted.
 *   <li>Each chunk carries the hash the index will store for it. A document that differs from the
 *       last one emitted under its id goes on to be embedded, and the chunks it no longer has are
 *       deleted. One the same as the last emitted, or whose last version the state does not
 *       remember (new, or quiet for longer than the unchanged-filter TTL), is marked for {@link
 *       dev.embedflow.index.ChangeDetector} to compare with the index: what the index holds, not
 *       what was emitted, decides whether it is embedded and which old chunks are deleted, so a
 *       document dead-lettered on its way is embedded again when its events are replayed. One
 *       document per event (mode NONE, history ids) keeps nothing and asks nothing: its ids are new
 *       but for replays, which are embedded again.
 * </ul>
 *
 * Main output: documents to embed and upsert. Side outputs: {@link #DELETES}, {@link
 * #DEAD_LETTERS}.
 */
@Internal
public final class EntityDocumentFunction
        extends KeyedProcessFunction<String, Event, ContextDocument> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeleteRequest> DELETES =
            new OutputTag<>("deletes", TypeInformation.of(DeleteRequest.class));
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("window-dead-letters", TypeInformation.of(DeadLetter.class));

    private final WindowSpec spec;
    private final DocumentRenderer renderer;
    private final LineChunker chunker;
    private final String modelName;
    private final Duration unchangedFilterTtl;

    private transient MapState<Long, WindowState> windows;
    private transient MapState<String, DocumentEvent> windowEvents;
    private transient MapState<String, String> emittedHashes;
    private transient MapState<String, Integer> chunkCounts;
    private transient ValueState<Long> deletedUpTo;
    private transient ValueState<Long> sequence;
    private transient Counter documentsEmitted;
    private transient Counter updatesEmitted;
    private transient Counter toCompare;
    private transient Counter lateDeadLettered;
    private transient Counter deletes;

    /** Processing time minus the watermark at the last element or timer, for the lag gauge. */
    private transient volatile long eventTimeLag;

    /**
     * @param chunker splits a text over the model's token limit into chunks on line boundaries
     * @param modelName part of the content hash: a new model re-embeds unchanged text
     * @param unchangedFilterTtl how long the hash of an emitted document is remembered
     */
    public EntityDocumentFunction(
            WindowSpec spec,
            DocumentRenderer renderer,
            LineChunker chunker,
            String modelName,
            Duration unchangedFilterTtl) {
        this.spec = spec;
        this.renderer = renderer;
        this.chunker = chunker;
        this.modelName = modelName;
        this.unchangedFilterTtl = unchangedFilterTtl;
    }

    @Override
    public void open(OpenContext openContext) {
        windows =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "window-state",
                                        Types.LONG,
                                        TypeInformation.of(WindowState.class)));
        windowEvents =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "window-events",
                                        Types.STRING,
                                        TypeInformation.of(DocumentEvent.class)));
        MapStateDescriptor<String, String> hashes =
                new MapStateDescriptor<>("emitted-hashes", Types.STRING, Types.STRING);
        hashes.enableTimeToLive(StateTtl.afterWrite(unchangedFilterTtl));
        emittedHashes = getRuntimeContext().getMapState(hashes);
        MapStateDescriptor<String, Integer> chunks =
                new MapStateDescriptor<>("chunk-counts", Types.STRING, Types.INT);
        chunks.enableTimeToLive(StateTtl.afterWrite(unchangedFilterTtl));
        chunkCounts = getRuntimeContext().getMapState(chunks);
        // Bounded: both expire with the unchanged-filter memory. The sequence starts again above
        // any earlier value (see nextSequence); an event older than a delete that arrives more
        // than that long after it is indexed again.
        ValueStateDescriptor<Long> deleted =
                new ValueStateDescriptor<>("deleted-up-to", Types.LONG);
        deleted.enableTimeToLive(StateTtl.afterWrite(unchangedFilterTtl));
        deletedUpTo = getRuntimeContext().getState(deleted);
        ValueStateDescriptor<Long> sequenceState =
                new ValueStateDescriptor<>("sequence", Types.LONG);
        sequenceState.enableTimeToLive(StateTtl.afterWrite(unchangedFilterTtl));
        sequence = getRuntimeContext().getState(sequenceState);
        var metrics = getRuntimeContext().getMetricGroup();
        documentsEmitted = metrics.counter("documentsEmitted");
        updatesEmitted = metrics.counter("documentUpdatesEmitted");
        toCompare = metrics.counter("documentsToCompare");
        lateDeadLettered = metrics.counter("eventsTooLate");
        deletes = metrics.counter("entityDeletes");
        metrics.gauge("eventTimeLagMs", (Gauge<Long>) () -> eventTimeLag);
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<ContextDocument> out)
            throws Exception {
        String entity = ctx.getCurrentKey();
        if (event.isDelete()) {
            delete(event, ctx);
            return;
        }
        Long deleted = deletedUpTo.value();
        if (deleted != null && event.getEventTime() <= deleted) {
            deadLetter(
                    ctx,
                    event,
                    "event at "
                            + Instant.ofEpochMilli(event.getEventTime())
                            + " is not newer than the delete of entity "
                            + entity
                            + " at "
                            + Instant.ofEpochMilli(deleted)
                            + "; it is not indexed so that the deleted entity stays deleted");
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (watermark > Long.MIN_VALUE) {
            eventTimeLag = ctx.timerService().currentProcessingTime() - watermark;
        }
        switch (spec.mode()) {
            case NONE -> emitSingle(entity, event, ctx, out);
            case TUMBLING, SLIDING -> addToFixedWindows(entity, event, watermark, ctx, out);
            case SESSION -> addToSession(entity, event, watermark, ctx, out);
        }
    }

    private void emitSingle(String entity, Event event, Context ctx, Collector<ContextDocument> out)
            throws Exception {
        String id =
                spec.idMode() == WindowSpec.IdMode.LATEST
                        ? DocumentIds.entity(entity)
                        : DocumentIds.event(entity, event);
        WindowState single = new WindowState(event.getEventTime(), event.getEventTime());
        single.add(event.getType(), event.getTopic(), event.getEventTime());
        emit(id, entity, single, List.of(renderer.prepare(event)), ctx, out);
    }

    private void addToFixedWindows(
            String entity, Event event, long watermark, Context ctx, Collector<ContextDocument> out)
            throws Exception {
        long time = event.getEventTime();
        long size = spec.sizeMillis();
        long slide = spec.slideMillis();
        long lastStart = time - Math.floorMod(time, slide);
        DocumentEvent prepared = null;
        for (long start = lastStart; start > time - size; start -= slide) {
            long end = start + size;
            if (isExpired(end, watermark)) {
                continue;
            }
            if (prepared == null) {
                prepared = renderer.prepare(event);
            }
            WindowState window = windows.get(start);
            if (window == null) {
                window = new WindowState(start, end);
                registerTimers(window, watermark, ctx);
            }
            append(window, event, prepared);
            afterAdd(entity, window, watermark, ctx, out);
        }
        if (prepared == null) {
            tooLate(ctx, event, watermark);
        }
    }

    private void addToSession(
            String entity, Event event, long watermark, Context ctx, Collector<ContextDocument> out)
            throws Exception {
        long time = event.getEventTime();
        long start = time;
        long end = time + spec.gapMillis();
        List<WindowState> overlapping = new ArrayList<>();
        for (WindowState session : windows.values()) {
            if (session.getStart() <= end && start <= session.getEnd()) {
                overlapping.add(session);
                start = Math.min(start, session.getStart());
                end = Math.max(end, session.getEnd());
            }
        }
        if (isExpired(end, watermark)) {
            tooLate(ctx, event, watermark);
            return;
        }
        // The session that already starts where the merged one does keeps its entries; the
        // events of the others move under the merged start.
        WindowState merged = null;
        for (WindowState session : overlapping) {
            if (session.getStart() == start) {
                merged = session;
            }
        }
        if (merged == null) {
            merged = new WindowState(start, end);
        }
        long oldEnd = merged.getEnd();
        boolean existed = overlapping.contains(merged);
        for (WindowState session : overlapping) {
            if (session == merged) {
                continue;
            }
            deleteTimers(session, ctx);
            windows.remove(session.getStart());
            for (DocumentEvent moved : removeEvents(session.getStart())) {
                windowEvents.put(entryKey(start, merged.getNextEntry()), moved);
                merged.setNextEntry(merged.getNextEntry() + 1);
            }
            merged.setStoredEvents(merged.getStoredEvents() + session.getStoredEvents());
            merged.absorb(session);
            if (session.isPublished() && spec.idMode() == WindowSpec.IdMode.HISTORY) {
                // Its document was published under a start that no longer exists.
                String staleId = DocumentIds.window(entity, session.getStart());
                emittedHashes.remove(staleId);
                deleteChunks(entity, staleId, 0, ctx);
                merged.setChanged(true);
            }
        }
        merged.setEnd(end);
        if (!existed || oldEnd != end) {
            if (existed) {
                deleteFireTimers(oldEnd, ctx);
            }
            registerTimers(merged, watermark, ctx);
        }
        append(merged, event, renderer.prepare(event));
        afterAdd(entity, merged, watermark, ctx, out);
    }

    /** Writes the event's own entry and the window's small state: nothing else is rewritten. */
    private void append(WindowState window, Event event, DocumentEvent prepared) throws Exception {
        long entry = window.add(event.getType(), event.getTopic(), event.getEventTime());
        windowEvents.put(entryKey(window.getStart(), entry), prepared);
        if (window.getStoredEvents() > 2 * renderer.maxEventsShown()) {
            compact(window);
        }
    }

    /**
     * Fires a window the watermark has already passed (a late update), or schedules its next update
     * while it is open; then stores its state.
     */
    private void afterAdd(
            String entity,
            WindowState window,
            long watermark,
            Context ctx,
            Collector<ContextDocument> out)
            throws Exception {
        if (window.getEnd() - 1 <= watermark) {
            fire(entity, window, ctx, out);
        } else if (spec.updateIntervalMillis() > 0 && window.getUpdateDueAt() == 0) {
            long due = ctx.timerService().currentProcessingTime() + spec.updateIntervalMillis();
            ctx.timerService().registerProcessingTimeTimer(due);
            window.setUpdateDueAt(due);
        }
        windows.put(window.getStart(), window);
    }

    private void registerTimers(WindowState window, long watermark, Context ctx) {
        if (window.getEnd() - 1 > watermark) {
            ctx.timerService().registerEventTimeTimer(window.getEnd() - 1);
        }
        ctx.timerService().registerEventTimeTimer(cleanupTime(window.getEnd()));
    }

    private void deleteTimers(WindowState window, Context ctx) throws Exception {
        deleteFireTimers(window.getEnd(), ctx);
        cancelUpdate(window, ctx);
    }

    /**
     * Cancels the window's pending update. Processing-time timers are one per key and timestamp, so
     * the timer is deleted only if no other window of the entity falls due at the same time.
     */
    private void cancelUpdate(WindowState window, Context ctx) throws Exception {
        long due = window.getUpdateDueAt();
        if (due == 0) {
            return;
        }
        window.setUpdateDueAt(0);
        for (WindowState other : windows.values()) {
            if (other.getStart() != window.getStart() && other.getUpdateDueAt() == due) {
                return;
            }
        }
        ctx.timerService().deleteProcessingTimeTimer(due);
    }

    private void deleteFireTimers(long end, Context ctx) {
        ctx.timerService().deleteEventTimeTimer(end - 1);
        ctx.timerService().deleteEventTimeTimer(cleanupTime(end));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ContextDocument> out)
            throws Exception {
        String entity = ctx.getCurrentKey();
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            for (Map.Entry<Long, WindowState> entry : windows.entries()) {
                WindowState window = entry.getValue();
                if (window.getUpdateDueAt() != 0 && window.getUpdateDueAt() <= timestamp) {
                    window.setUpdateDueAt(0);
                    if (window.isChanged() && !window.isFired()) {
                        updatesEmitted.inc();
                        publish(entity, window, ctx, out);
                    }
                    entry.setValue(window);
                }
            }
            return;
        }
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, WindowState> entry : windows.entries()) {
            WindowState window = entry.getValue();
            if (window.getEnd() - 1 == timestamp) {
                fire(entity, window, ctx, out);
                entry.setValue(window);
            }
            if (cleanupTime(window.getEnd()) <= timestamp) {
                expired.add(entry.getKey());
            }
        }
        for (Long start : expired) {
            cancelUpdate(windows.get(start), ctx);
            windows.remove(start);
            removeEvents(start);
        }
    }

    /**
     * The watermark passed the window's end: its document, unless an update already said it all.
     */
    private void fire(
            String entity, WindowState window, Context ctx, Collector<ContextDocument> out)
            throws Exception {
        window.setFired(true);
        cancelUpdate(window, ctx);
        if (window.isChanged() || !window.isPublished()) {
            publish(entity, window, ctx, out);
        }
    }

    private void publish(
            String entity, WindowState window, Context ctx, Collector<ContextDocument> out)
            throws Exception {
        window.setChanged(false);
        window.setPublished(true);
        String id =
                spec.idMode() == WindowSpec.IdMode.LATEST
                        ? DocumentIds.entity(entity)
                        : DocumentIds.window(entity, window.getStart());
        emit(id, entity, window, eventsOf(window.getStart()), ctx, out);
    }

    private void emit(
            String id,
            String entity,
            WindowState window,
            List<DocumentEvent> events,
            Context ctx,
            Collector<ContextDocument> out)
            throws Exception {
        List<DocumentEvent> shown = renderer.shown(events);
        String text =
                renderer.renderShown(
                        entity,
                        window.getStart(),
                        window.getEnd(),
                        shown,
                        window.getTotalEvents(),
                        window.getEventTypes(),
                        window.getSourceTopics());
        String hash = contentHash(text, modelName);
        // One document per event: its id is new but for replays, so the state would hold a hash
        // per event for nothing, and asking the index about every event costs more than the rare
        // replay's second embedding: such documents go straight on.
        boolean perEvent =
                spec.mode() == WindowSpec.Mode.NONE && spec.idMode() == WindowSpec.IdMode.HISTORY;
        String last = perEvent ? null : emittedHashes.get(id);
        boolean knownChanged = last != null && !last.equals(hash) && chunkCounts.contains(id);
        boolean compare = !knownChanged && !perEvent;
        if (compare) {
            toCompare.inc();
        }
        List<String> chunks = chunker.chunk(text);
        if (knownChanged) {
            // A shorter text than last time leaves chunks behind: delete them (ids differ from
            // the new ones, and the sequence orders them against later writes of the same ids).
            deleteChunks(entity, id, chunks.size(), ctx);
        }
        if (!perEvent) {
            emittedHashes.put(id, hash);
            chunkCounts.put(id, chunks.size());
        }
        List<Origin> origins = new ArrayList<>();
        for (DocumentEvent event : shown) {
            origins.add(event.origin());
        }
        documentsEmitted.inc();
        for (int i = 0; i < chunks.size(); i++) {
            ContextDocument document =
                    new ContextDocument(
                            chunks.size() == 1 ? id : DocumentIds.chunk(id, i),
                            entity,
                            window.getStart(),
                            window.getEnd(),
                            window.getTotalEvents(),
                            window.getEventTypes(),
                            window.getSourceTopics(),
                            chunks.get(i),
                            origins);
            document.setChunk(i);
            document.setChunkCount(chunks.size());
            document.setParentId(id);
            document.setContentHash(chunkHash(chunks.get(i), i, chunks.size(), modelName));
            document.setCompareWithIndex(compare);
            document.setNewestEventTime(window.getNewestEventTime());
            document.setSequence(nextSequence(ctx));
            out.collect(document);
        }
    }

    /** The key of entry {@code n} of the window starting at {@code start}. */
    private static String entryKey(long start, long n) {
        return start + "/" + n;
    }

    private static boolean isEntryOf(String key, long start) {
        String prefix = start + "/";
        return key.startsWith(prefix);
    }

    private List<DocumentEvent> eventsOf(long start) throws Exception {
        List<DocumentEvent> events = new ArrayList<>();
        for (Map.Entry<String, DocumentEvent> entry : windowEvents.entries()) {
            if (isEntryOf(entry.getKey(), start)) {
                events.add(entry.getValue());
            }
        }
        return events;
    }

    private List<DocumentEvent> removeEvents(long start) throws Exception {
        List<String> keys = new ArrayList<>();
        List<DocumentEvent> events = new ArrayList<>();
        for (Map.Entry<String, DocumentEvent> entry : windowEvents.entries()) {
            if (isEntryOf(entry.getKey(), start)) {
                keys.add(entry.getKey());
                events.add(entry.getValue());
            }
        }
        for (String key : keys) {
            windowEvents.remove(key);
        }
        return events;
    }

    /** Keeps the entries of the events a document can show, drops the older ones. */
    private void compact(WindowState window) throws Exception {
        List<Map.Entry<String, DocumentEvent>> entries = new ArrayList<>();
        for (Map.Entry<String, DocumentEvent> entry : windowEvents.entries()) {
            if (isEntryOf(entry.getKey(), window.getStart())) {
                entries.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        entries.sort(Map.Entry.comparingByValue(DocumentEvent.ORDER));
        int drop = entries.size() - renderer.maxEventsShown();
        for (int i = 0; i < drop; i++) {
            windowEvents.remove(entries.get(i).getKey());
        }
        window.setStoredEvents(Math.min(entries.size(), renderer.maxEventsShown()));
    }

    /**
     * Deletes what was emitted under {@code id} beyond {@code keep} chunks: the unsplit document
     * when it is now split, or the tail chunks when there are fewer now (keep 0: all of it).
     */
    private void deleteChunks(String entity, String id, int keep, Context ctx) throws Exception {
        Integer previous = chunkCounts.get(id);
        if (previous == null) {
            return;
        }
        List<String> gone = new ArrayList<>();
        if (previous == 1 && keep != 1) {
            gone.add(id);
        } else if (previous > 1) {
            for (int i = keep == 1 ? 0 : keep; i < previous; i++) {
                gone.add(DocumentIds.chunk(id, i));
            }
        }
        for (String goneId : gone) {
            DeleteRequest delete = DeleteRequest.document(entity, goneId);
            delete.setSequence(nextSequence(ctx));
            ctx.output(DELETES, delete);
        }
        if (keep == 0) {
            chunkCounts.remove(id);
        }
    }

    private void delete(Event event, Context ctx) throws Exception {
        String entity = ctx.getCurrentKey();
        Long previous = deletedUpTo.value();
        deletedUpTo.update(
                previous == null ? event.getEventTime() : Math.max(previous, event.getEventTime()));
        for (WindowState window : windows.values()) {
            deleteTimers(window, ctx);
        }
        windows.clear();
        windowEvents.clear();
        emittedHashes.clear();
        chunkCounts.clear();
        deletes.inc();
        DeleteRequest delete = DeleteRequest.entity(entity, event.origin());
        delete.setSequence(nextSequence(ctx));
        ctx.output(DELETES, delete);
    }

    /**
     * The entity's next output sequence number, which is also the version OpenSearch keeps
     * documents by: one more than the last, and at least a thousand per millisecond of processing
     * time, so that it keeps growing when the state has expired (or comes from an older savepoint).
     */
    private long nextSequence(Context ctx) throws Exception {
        Long last = sequence.value();
        long floor = Math.max(1, ctx.timerService().currentProcessingTime()) * 1_000;
        long next = Math.max(last == null ? 1 : last + 1, floor);
        sequence.update(next);
        return next;
    }

    private void tooLate(Context ctx, Event event, long watermark) {
        lateDeadLettered.inc();
        deadLetter(
                ctx,
                event,
                "event at "
                        + Instant.ofEpochMilli(event.getEventTime())
                        + " arrived after its window closed (watermark "
                        + Instant.ofEpochMilli(watermark)
                        + ", allowed lateness "
                        + Duration.ofMillis(spec.allowedLatenessMillis())
                        + ")");
    }

    private static void deadLetter(Context ctx, Event event, String reason) {
        byte[] payload =
                event.getPayload() == null
                        ? null
                        : event.getPayload().getBytes(StandardCharsets.UTF_8);
        ctx.output(
                DEAD_LETTERS,
                DeadLetter.of(Stage.WINDOW, reason, List.of(event.origin()), null, payload));
    }

    private boolean isExpired(long windowEnd, long watermark) {
        return cleanupTime(windowEnd) <= watermark;
    }

    private long cleanupTime(long windowEnd) {
        long cleanup = windowEnd - 1 + spec.allowedLatenessMillis();
        return cleanup < windowEnd - 1 ? Long.MAX_VALUE : cleanup;
    }

    /**
     * What the index stores as a chunk's {@code content_hash}: the text's {@link #contentHash} when
     * the document is not split, else the hash also covers the chunk's place, so that a document
     * split differently is written again.
     */
    public static String chunkHash(String text, int index, int count, String modelName) {
        return count == 1
                ? contentHash(text, modelName)
                : contentHash(text + "\u0000" + index + "/" + count, modelName);
    }

    /** SHA-256 of the model name and the text: what the unchanged-content filter compares. */
    public static String contentHash(String text, String modelName) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(modelName.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
