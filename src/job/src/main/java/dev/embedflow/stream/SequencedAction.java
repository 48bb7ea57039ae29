package dev.embedflow.stream;

import dev.embedflow.sink.IndexAction;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * An index action with the entity it concerns and the entity's output sequence number, on its way
 * through {@link LatestWinsFilter} to the sink.
 */
@Internal
public record SequencedAction(String entity, long sequence, IndexAction action)
        implements java.io.Serializable {

    public SequencedAction {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(action, "action");
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
