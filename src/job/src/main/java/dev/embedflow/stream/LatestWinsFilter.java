package dev.embedflow.stream;

import dev.embedflow.sink.IndexAction;
import dev.embedflow.window.StateTtl;
import java.time.Duration;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps a deleted entity deleted on the way to the sink. Embedding is asynchronous and unordered,
 * and deletes skip it, so a document emitted before its entity was deleted can arrive after the
 * delete: such an action is dropped, counted in {@code actionsSuperseded}, instead of resurrecting
 * the entity. The order of versions of one document needs no state here: every action carries its
 * sequence number as OpenSearch's external version, and the index keeps the newest.
 *
 * <p>Keyed by entity. State: the sequence number of the entity's last delete, kept for {@code ttl}
 * (longer than anything emitted before the delete can still be on its way).
 */
@Internal
public final class LatestWinsFilter
        extends KeyedProcessFunction<String, SequencedAction, IndexAction> {
    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<Long> entityDeletedAt;
    private transient Counter superseded;

    public LatestWinsFilter(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Long> deletedAt =
                new ValueStateDescriptor<>("entity-deleted-at", Types.LONG);
        deletedAt.enableTimeToLive(StateTtl.afterWrite(ttl));
        entityDeletedAt = getRuntimeContext().getState(deletedAt);
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
        if (value.documentId() == null) {
            entityDeletedAt.update(value.sequence());
        }
        out.collect(value.action());
    }
}
