package dev.embedflow.window;

import dev.embedflow.deadletter.Origin;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Removes documents from the index: one document by id, or (with a null id) every document of the
 * entity. A Flink POJO.
 */
@PublicEvolving
public class DeleteRequest {

    private String entity;
    private String documentId;
    private Origin origin;
    private long sequence;

    /** For Flink's POJO serializer. */
    public DeleteRequest() {}

    public DeleteRequest(String entity, String documentId, Origin origin) {
        this.entity = entity;
        this.documentId = documentId;
        this.origin = origin;
    }

    /** Every document of {@code entity}. */
    public static DeleteRequest entity(String entity, Origin origin) {
        return new DeleteRequest(entity, null, origin);
    }

    /** The one document {@code documentId} of {@code entity}. */
    public static DeleteRequest document(String entity, String documentId) {
        return new DeleteRequest(entity, documentId, null);
    }

    public String getEntity() {
        return entity;
    }

    public void setEntity(String entity) {
        this.entity = entity;
    }

    /** The document to delete, or null for all of the entity's documents. */
    public String getDocumentId() {
        return documentId;
    }

    public void setDocumentId(String documentId) {
        this.documentId = documentId;
    }

    /** The entity's output sequence number (see {@link ContextDocument#getSequence()}). */
    public long getSequence() {
        return sequence;
    }

    public void setSequence(long sequence) {
        this.sequence = sequence;
    }

    /** The record that asked for the delete (a tombstone or delete event), or null. */
    public Origin getOrigin() {
        return origin;
    }

    public void setOrigin(Origin origin) {
        this.origin = origin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeleteRequest d
                && Objects.equals(entity, d.entity)
                && Objects.equals(documentId, d.documentId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entity, documentId);
    }

    @Override
    public String toString() {
        return documentId == null ? "Delete[all of " + entity + "]" : "Delete[" + documentId + "]";
    }
}
