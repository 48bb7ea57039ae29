package dev.embedflow.stream;

import dev.embedflow.sink.IndexAction;
import dev.embedflow.window.StateTtl;
import java.time.Duration;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Restores the window operator's order of actions per entity before the sink. Embedding is
 * asynchronous and unordered, and deletes skip it, so an older version of a document (or a document
 * emitted before its entity was deleted) can arrive after a newer action: such an action is
 * dropped, counted in {@code actionsSuperseded}, instead of overwriting newer content or
 * resurrecting a deleted entity.
 *
 * <p>Keyed by entity. State: the sequence number of the entity's last delete, and per document id
 * the last sequence number passed on (expiring after {@code ttl}).
 */
@Internal
public final class LatestWinsFilter
        extends KeyedProcessFunction<String, SequencedAction, IndexAction> {
    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<Long> entityDeletedAt;
    private transient MapState<String, Long> lastSequenceById;
    private transient Counter superseded;

    public LatestWinsFilter(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        entityDeletedAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("entity-deleted-at", Types.LONG));
        MapStateDescriptor<String, Long> lastSequence =
                new MapStateDescriptor<>("last-sequence-by-id", Types.STRING, Types.LONG);
        lastSequence.enableTimeToLive(StateTtl.afterWrite(ttl));
        lastSequenceById = getRuntimeContext().getMapState(lastSequence);
        superseded = getRuntimeContext().getMetricGroup().counter("actionsSuperseded");
    }

    @Override
    public void processElement(SequencedAction value, Context ctx, Collector<IndexAction> out)
            throws Exception {
        Long deletedAt = entityDeletedAt.value();
        if (deletedAt != null && value.sequence() < deletedAt) {
            superseded.inc();
            return;
        }
        String id = value.documentId();
        if (id == null) {
            entityDeletedAt.update(value.sequence());
            lastSequenceById.clear();
            out.collect(value.action());
            return;
        }
        Long last = lastSequenceById.get(id);
        if (last != null && value.sequence() < last) {
            superseded.inc();
            return;
        }
        lastSequenceById.put(id, value.sequence());
        out.collect(value.action());
    }
}
