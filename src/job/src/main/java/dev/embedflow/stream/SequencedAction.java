package dev.embedflow.stream;

import dev.embedflow.sink.IndexAction;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * An index action with the entity it concerns and the entity's output sequence number, on its way
 * through {@link LatestWinsFilter} to the sink.
 */
@Internal
public final class SequencedAction implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final String entity;
    private final long sequence;
    private final IndexAction action;

    public SequencedAction(String entity, long sequence, IndexAction action) {
        this.entity = Objects.requireNonNull(entity, "entity");
        this.sequence = sequence;
        this.action = Objects.requireNonNull(action, "action");
    }

    public String entity() {
        return entity;
    }

    public long sequence() {
        return sequence;
    }

    public IndexAction action() {
        return action;
    }

    /** The document the action concerns, or null for a delete of the whole entity. */
    public String documentId() {
        if (action instanceof IndexAction.Upsert upsert) {
            return upsert.id();
        }
        if (action instanceof IndexAction.Delete delete) {
            return delete.id();
        }
        return null;
    }

    @Override
    public String toString() {
        return "#" + sequence + " " + action;
    }
}
