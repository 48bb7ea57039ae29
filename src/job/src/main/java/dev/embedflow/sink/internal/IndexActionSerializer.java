package dev.embedflow.sink.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.sink.IndexAction;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink's serializer for {@link IndexAction} (no Kryo): a tag for the kind, then its fields;
 * metadata (strings, numbers, booleans and lists of them) as JSON. Actions are immutable, so copies
 * are the same object.
 */
@Internal
public final class IndexActionSerializer extends TypeSerializerSingleton<IndexAction> {
    private static final long serialVersionUID = 1L;

    public static final IndexActionSerializer INSTANCE = new IndexActionSerializer();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> METADATA =
            new TypeReference<>() {};

    private static final byte UPSERT = 0;
    private static final byte DELETE = 1;
    private static final byte DELETE_ENTITY = 2;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public IndexAction createInstance() {
        return IndexAction.delete("", List.of());
    }

    @Override
    public IndexAction copy(IndexAction from) {
        return from;
    }

    @Override
    public IndexAction copy(IndexAction from, IndexAction reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(IndexAction action, DataOutputView out) throws IOException {
        if (action instanceof IndexAction.Upsert upsert) {
            out.writeByte(UPSERT);
            StringValue.writeString(upsert.id(), out);
            StringValue.writeString(upsert.entity(), out);
            writeInstant(upsert.windowStart(), out);
            writeInstant(upsert.windowEnd(), out);
            StringValue.writeString(upsert.text(), out);
            float[] vector = upsert.vector();
            out.writeInt(vector.length);
            for (float v : vector) {
                out.writeFloat(v);
            }
            StringValue.writeString(upsert.model(), out);
            StringValue.writeString(upsert.contentHash(), out);
            StringValue.writeString(JSON.writeValueAsString(upsert.metadata()), out);
            writeOrigins(upsert.origins(), out);
            out.writeLong(upsert.version());
            out.writeLong(upsert.newestEventTime());
        } else if (action instanceof IndexAction.Delete delete) {
            out.writeByte(DELETE);
            StringValue.writeString(delete.id(), out);
            writeOrigins(delete.origins(), out);
            out.writeLong(delete.version());
        } else if (action instanceof IndexAction.DeleteEntity deleteEntity) {
            out.writeByte(DELETE_ENTITY);
            StringValue.writeString(deleteEntity.entity(), out);
            writeOrigins(deleteEntity.origins(), out);
            out.writeLong(deleteEntity.version());
        } else {
            throw new IllegalArgumentException("Unknown index action " + action);
        }
    }

    @Override
    public IndexAction deserialize(DataInputView in) throws IOException {
        byte kind = in.readByte();
        switch (kind) {
            case UPSERT -> {
                IndexAction.Upsert.Builder builder =
                        IndexAction.upsert(StringValue.readString(in))
                                .entity(StringValue.readString(in));
                Instant start = readInstant(in);
                Instant end = readInstant(in);
                builder.window(start, end).text(StringValue.readString(in));
                float[] vector = new float[in.readInt()];
                for (int i = 0; i < vector.length; i++) {
                    vector[i] = in.readFloat();
                }
                return builder.vector(vector)
                        .model(StringValue.readString(in))
                        .contentHash(StringValue.readString(in))
                        .metadata(JSON.readValue(StringValue.readString(in), METADATA))
                        .origins(readOrigins(in))
                        .version(in.readLong())
                        .newestEventTime(in.readLong())
                        .build();
            }
            case DELETE -> {
                return IndexAction.delete(
                        StringValue.readString(in), readOrigins(in), in.readLong());
            }
            case DELETE_ENTITY -> {
                return IndexAction.deleteEntity(
                        StringValue.readString(in), readOrigins(in), in.readLong());
            }
            default -> throw new IOException("Unknown index action kind " + kind);
        }
    }

    @Override
    public IndexAction deserialize(IndexAction reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private static void writeInstant(Instant instant, DataOutputView out) throws IOException {
        out.writeBoolean(instant != null);
        if (instant != null) {
            out.writeLong(instant.getEpochSecond());
            out.writeInt(instant.getNano());
        }
    }

    private static Instant readInstant(DataInputView in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }

    private static void writeOrigins(List<Origin> origins, DataOutputView out) throws IOException {
        out.writeInt(origins.size());
        for (Origin origin : origins) {
            StringValue.writeString(origin.topic(), out);
            writeNullableLong(origin.partition() == null ? null : (long) origin.partition(), out);
            writeNullableLong(origin.offset(), out);
            writeNullableLong(origin.timestamp(), out);
            StringValue.writeString(origin.path(), out);
            writeNullableLong(origin.line(), out);
        }
    }

    private static List<Origin> readOrigins(DataInputView in) throws IOException {
        int count = in.readInt();
        List<Origin> origins = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String topic = StringValue.readString(in);
            Long partition = readNullableLong(in);
            Long offset = readNullableLong(in);
            Long timestamp = readNullableLong(in);
            String path = StringValue.readString(in);
            Long line = readNullableLong(in);
            origins.add(
                    new Origin(
                            topic,
                            partition == null ? null : partition.intValue(),
                            offset,
                            timestamp,
                            path,
                            line));
        }
        return origins;
    }

    private static void writeNullableLong(Long value, DataOutputView out) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeLong(value);
        }
    }

    private static Long readNullableLong(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }

    @Override
    public TypeSerializerSnapshot<IndexAction> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: version 1 is the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<IndexAction> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
