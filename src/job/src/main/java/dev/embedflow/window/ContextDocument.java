package dev.embedflow.window;

import dev.embedflow.deadletter.Origin;
import dev.embedflow.embedding.Embeddable;
import dev.embedflow.index.IndexedChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One document rendered from an entity's events in a window: the text to embed and the metadata to
 * filter on. A Flink POJO.
 */
@PublicEvolving
public class ContextDocument implements Embeddable, IndexedChunk {

    private String id;
    private String entity;
    private long windowStart;
    private long windowEnd;
    private int eventCount;
    private List<String> eventTypes = new ArrayList<>();
    private List<String> sourceTopics = new ArrayList<>();
    private String text;
    private List<Origin> origins = new ArrayList<>();
    private long sequence;
    private int chunk;
    private int chunkCount = 1;
    private String parentId;
    private String contentHash;
    private boolean compareWithIndex = true;
    private long newestEventTime;

    /** For Flink's POJO serializer. */
    public ContextDocument() {}

    public ContextDocument(
            String id,
            String entity,
            long windowStart,
            long windowEnd,
            int eventCount,
            List<String> eventTypes,
            List<String> sourceTopics,
            String text,
            List<Origin> origins) {
        this.id = id;
        this.entity = entity;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.eventCount = eventCount;
        this.eventTypes = new ArrayList<>(eventTypes);
        this.sourceTopics = new ArrayList<>(sourceTopics);
        this.text = text;
        this.origins = new ArrayList<>(origins);
    }

    /** Deterministic: the entity plus the window start (history) or the entity alone (latest). */
    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getEntity() {
        return entity;
    }

    public void setEntity(String entity) {
        this.entity = entity;
    }

    /** Epoch milliseconds, inclusive. */
    public long getWindowStart() {
        return windowStart;
    }

    public void setWindowStart(long windowStart) {
        this.windowStart = windowStart;
    }

    /** Epoch milliseconds, exclusive. */
    public long getWindowEnd() {
        return windowEnd;
    }

    public void setWindowEnd(long windowEnd) {
        this.windowEnd = windowEnd;
    }

    public int getEventCount() {
        return eventCount;
    }

    public void setEventCount(int eventCount) {
        this.eventCount = eventCount;
    }

    /** Distinct event types, sorted. */
    public List<String> getEventTypes() {
        return eventTypes;
    }

    public void setEventTypes(List<String> eventTypes) {
        this.eventTypes = eventTypes;
    }

    /** Distinct Kafka topics the events came from, sorted. */
    public List<String> getSourceTopics() {
        return sourceTopics;
    }

    public void setSourceTopics(List<String> sourceTopics) {
        this.sourceTopics = sourceTopics;
    }

    /** The rendered text, the input of the embedding. */
    public String getText() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    /**
     * The entity's output sequence number: later outputs of the window operator for one entity have
     * larger numbers, so that an older version overtaken on the way to the index is dropped.
     */
    public long getSequence() {
        return sequence;
    }

    public void setSequence(long sequence) {
        this.sequence = sequence;
    }

    /** Which chunk of the window's text this is, from 0. */
    public int getChunk() {
        return chunk;
    }

    public void setChunk(int chunk) {
        this.chunk = chunk;
    }

    /** How many chunks the window's text was split into to fit the model (1: not split). */
    public int getChunkCount() {
        return chunkCount;
    }

    public void setChunkCount(int chunkCount) {
        this.chunkCount = chunkCount;
    }

    /** Kafka coordinates of the events, for dead letters (at most a bounded number). */
    public List<Origin> getOrigins() {
        return origins;
    }

    public void setOrigins(List<Origin> origins) {
        this.origins = origins;
    }

    /** The newest event time among the document's events (epoch ms), for freshness. */
    public long getNewestEventTime() {
        return newestEventTime;
    }

    public void setNewestEventTime(long newestEventTime) {
        this.newestEventTime = newestEventTime;
    }

    /** The id of the whole rendered document (the same as {@link #getId()} when not split). */
    public String getParentId() {
        return parentId == null ? id : parentId;
    }

    public void setParentId(String parentId) {
        this.parentId = parentId;
    }

    /** What the index stores as this chunk's {@code content_hash}. */
    public String getContentHash() {
        return contentHash;
    }

    public void setContentHash(String contentHash) {
        this.contentHash = contentHash;
    }

    /**
     * Whether the index must say if this chunk is new (true unless the window operator knows the
     * document changed since it was last emitted).
     */
    public boolean isCompareWithIndex() {
        return compareWithIndex;
    }

    public void setCompareWithIndex(boolean compareWithIndex) {
        this.compareWithIndex = compareWithIndex;
    }

    @Override
    public String documentId() {
        return id;
    }

    @Override
    public String chunkId() {
        return id;
    }

    @Override
    public String parentId() {
        return getParentId();
    }

    @Override
    public String entity() {
        return entity;
    }

    @Override
    public int chunkIndex() {
        return chunk;
    }

    @Override
    public int chunkCount() {
        return chunkCount;
    }

    @Override
    public String contentHash() {
        return contentHash;
    }

    /** An unsplit document keeps its own id; chunks are {@code <id>#<n>}. */
    @Override
    public String chunkId(int index, int count) {
        return count == 1 ? getParentId() : DocumentIds.chunk(getParentId(), index);
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public boolean lookUp() {
        return compareWithIndex;
    }

    @Override
    public String text() {
        return text;
    }

    @Override
    public List<Origin> origins() {
        return origins;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContextDocument d
                && windowStart == d.windowStart
                && windowEnd == d.windowEnd
                && eventCount == d.eventCount
                && Objects.equals(id, d.id)
                && Objects.equals(entity, d.entity)
                && Objects.equals(eventTypes, d.eventTypes)
                && Objects.equals(sourceTopics, d.sourceTopics)
                && Objects.equals(text, d.text)
                && Objects.equals(origins, d.origins);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, windowStart, windowEnd, eventCount, text);
    }

    @Override
    public String toString() {
        return "ContextDocument[" + id + ", " + eventCount + " events, " + eventTypes + "]";
    }
}
