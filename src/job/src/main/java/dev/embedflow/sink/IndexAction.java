package dev.embedflow.sink;

import dev.embedflow.deadletter.Origin;
import dev.embedflow.sink.internal.IndexActionTypeInfo;
import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the OpenSearch sink does with one record: upsert a document, delete one by id, or delete
 * every document of an entity. Each carries the {@link Origin}s it came from, so that a rejected
 * action can go to the dead-letter topic traceable to its events.
 */
@PublicEvolving
@TypeInfo(IndexActionTypeInfo.Factory.class)
public sealed interface IndexAction extends Serializable
        permits IndexAction.Upsert, IndexAction.Delete, IndexAction.DeleteEntity {

    /** Where the action's data came from (may be empty). */
    List<Origin> origins();

    /**
     * The action's version for OpenSearch's external versioning, so that an older version of a
     * document arriving late never overwrites a newer one (and several bulks may be in flight); 0:
     * unversioned (written in order).
     */
    long version();

    /** Starts an upsert of document {@code id}. */
    static Upsert.Builder upsert(String id) {
        return new Upsert.Builder(id);
    }

    /** Deletes document {@code id} (a missing document is fine). */
    static Delete delete(String id, List<Origin> origins) {
        return new Delete(id, origins, 0);
    }

    /** Deletes document {@code id} unless the index holds a version newer than {@code version}. */
    static Delete delete(String id, List<Origin> origins, long version) {
        return new Delete(id, origins, version);
    }

    /** Deletes every document whose {@code entity} is {@code entity}. */
    static DeleteEntity deleteEntity(String entity, List<Origin> origins) {
        return new DeleteEntity(entity, origins, 0);
    }

    /**
     * Deletes every document of {@code entity} that the index holds in a version older than {@code
     * version}.
     */
    static DeleteEntity deleteEntity(String entity, List<Origin> origins, long version) {
        return new DeleteEntity(entity, origins, version);
    }

    /**
     * Indexes (creates or replaces) document {@code id}.
     *
     * @param id the deterministic document id ({@code entity + window [+ #chunk]})
     * @param entity the entity key
     * @param windowStart window start, or null in latest-state mode
     * @param windowEnd window end, or null
     * @param text the embedded text
     * @param vector its embedding
     * @param model the model that embedded it
     * @param contentHash a hash of the text
     * @param metadata keyword metadata (strings, numbers, booleans, lists of them)
     * @param origins the events it was built from
     * @param version the external version, or 0
     * @param newestEventTime the newest event time the document reflects (epoch ms), or 0: the sink
     *     measures freshness from it
     */
    record Upsert(
            String id,
            String entity,
            Instant windowStart,
            Instant windowEnd,
            String text,
            float[] vector,
            String model,
            String contentHash,
            Map<String, Object> metadata,
            List<Origin> origins,
            long version,
            long newestEventTime)
            implements IndexAction {

        public Upsert {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(vector, "vector");
            Objects.requireNonNull(model, "model");
            metadata = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
            origins = origins == null ? List.of() : List.copyOf(origins);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Upsert u
                    && id.equals(u.id)
                    && Objects.equals(entity, u.entity)
                    && Objects.equals(windowStart, u.windowStart)
                    && Objects.equals(windowEnd, u.windowEnd)
                    && text.equals(u.text)
                    && Arrays.equals(vector, u.vector)
                    && model.equals(u.model)
                    && Objects.equals(contentHash, u.contentHash)
                    && metadata.equals(u.metadata)
                    && origins.equals(u.origins)
                    && version == u.version
                    && newestEventTime == u.newestEventTime;
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, entity, windowStart, text, model, Arrays.hashCode(vector));
        }

        @Override
        public String toString() {
            return "Upsert["
                    + id
                    + ", entity="
                    + entity
                    + ", "
                    + text.length()
                    + " chars, "
                    + vector.length
                    + " dims, origins="
                    + origins
                    + "]";
        }

        /** Collects an upsert's fields. */
        public static final class Builder {
            private final String id;
            private String entity;
            private Instant windowStart;
            private Instant windowEnd;
            private String text;
            private float[] vector;
            private String model;
            private String contentHash;
            private Map<String, Object> metadata = Map.of();
            private List<Origin> origins = List.of();
            private long version;
            private long newestEventTime;

            private Builder(String id) {
                this.id = id;
            }

            public Builder entity(String entity) {
                this.entity = entity;
                return this;
            }

            public Builder window(Instant start, Instant end) {
                this.windowStart = start;
                this.windowEnd = end;
                return this;
            }

            public Builder text(String text) {
                this.text = text;
                return this;
            }

            public Builder vector(float[] vector) {
                this.vector = vector;
                return this;
            }

            public Builder model(String model) {
                this.model = model;
                return this;
            }

            public Builder contentHash(String contentHash) {
                this.contentHash = contentHash;
                return this;
            }

            public Builder metadata(Map<String, Object> metadata) {
                this.metadata = metadata;
                return this;
            }

            public Builder origins(List<Origin> origins) {
                this.origins = origins;
                return this;
            }

            /** The newest event time the document reflects (epoch ms); 0 for none. */
            public Builder newestEventTime(long newestEventTime) {
                this.newestEventTime = newestEventTime;
                return this;
            }

            /** The external version ({@link IndexAction#version()}); 0 for none. */
            public Builder version(long version) {
                if (version < 0) {
                    throw new IllegalArgumentException("version must be >= 0, was " + version);
                }
                this.version = version;
                return this;
            }

            public Upsert build() {
                return new Upsert(
                        id,
                        entity,
                        windowStart,
                        windowEnd,
                        text,
                        vector,
                        model,
                        contentHash,
                        metadata,
                        origins,
                        version,
                        newestEventTime);
            }
        }
    }

    /** Deletes document {@code id}. */
    record Delete(String id, List<Origin> origins, long version) implements IndexAction {
        public Delete {
            Objects.requireNonNull(id, "id");
            origins = origins == null ? List.of() : List.copyOf(origins);
        }
    }

    /** Deletes every document of {@code entity} (all windows and chunks). */
    record DeleteEntity(String entity, List<Origin> origins, long version) implements IndexAction {
        public DeleteEntity {
            Objects.requireNonNull(entity, "entity");
            origins = origins == null ? List.of() : List.copyOf(origins);
        }
    }
}
