package dev.embedflow.sink.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.sink.IndexAction;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.annotation.Internal;

/** Renders index actions as bulk NDJSON lines and documents as JSON. */
@Internal
public final class BulkDocuments {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BulkDocuments() {}

    /**
     * Writes JSON straight to bytes, floats with the shortest exact digits (Schubfach): a bulk line
     * is mostly its vector, and the default float writer is slower.
     */
    private static final JsonFactory LINES =
            new JsonFactoryBuilder()
                    .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                    .rootValueSeparator((String) null)
                    .build();

    /** The bulk lines (action and, for an upsert, the source), newline-terminated. */
    public static byte[] bulkLines(String index, IndexAction action, Instant now) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4_096);
        try (JsonGenerator json = LINES.createGenerator(out)) {
            json.setCodec(JSON);
            if (action instanceof IndexAction.Upsert upsert) {
                actionLine(json, "index", index, upsert.id(), upsert.version());
                json.writeRaw('\n');
                writeSource(json, upsert, now);
                json.writeRaw('\n');
            } else if (action instanceof IndexAction.Delete delete) {
                actionLine(json, "delete", index, delete.id(), delete.version());
                json.writeRaw('\n');
            } else {
                throw new IllegalArgumentException("not a bulk action: " + action);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot render " + action + " as JSON", e);
        }
        return out.toByteArray();
    }

    private static void actionLine(
            JsonGenerator json, String op, String index, String id, long version)
            throws java.io.IOException {
        json.writeStartObject();
        json.writeObjectFieldStart(op);
        json.writeStringField("_index", index);
        json.writeStringField("_id", id);
        if (version > 0) {
            json.writeNumberField("version", version);
            json.writeStringField("version_type", "external");
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    /** The stored document as {@link #source} has it (with the vector), streamed. */
    private static void writeSource(JsonGenerator json, IndexAction.Upsert upsert, Instant now)
            throws java.io.IOException {
        json.writeStartObject();
        json.writeStringField(IndexFields.TEXT, upsert.text());
        json.writeArrayFieldStart(IndexFields.EMBEDDING);
        for (float v : upsert.vector()) {
            json.writeNumber(v);
        }
        json.writeEndArray();
        if (upsert.entity() != null) {
            json.writeStringField(IndexFields.ENTITY, upsert.entity());
        }
        if (upsert.windowStart() != null) {
            json.writeStringField(IndexFields.WINDOW_START, upsert.windowStart().toString());
        }
        if (upsert.windowEnd() != null) {
            json.writeStringField(IndexFields.WINDOW_END, upsert.windowEnd().toString());
        }
        json.writeStringField(IndexFields.INDEXED_AT, now.toString());
        json.writeStringField(IndexFields.MODEL, upsert.model());
        if (upsert.contentHash() != null) {
            json.writeStringField(IndexFields.CONTENT_HASH, upsert.contentHash());
        }
        if (!upsert.metadata().isEmpty()) {
            json.writeObjectField(IndexFields.METADATA, upsert.metadata());
        }
        json.writeEndObject();
    }

    /** Adds OpenSearch's external versioning to a bulk action line when there is a version. */
    static ObjectNode versioned(ObjectNode action, long version) {
        if (version > 0) {
            action.put("version", version).put("version_type", "external");
        }
        return action;
    }

    /** The document an upsert stores; with the vector or without (for dead letters). */
    public static ObjectNode source(IndexAction.Upsert upsert, Instant now, boolean withVector) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put(IndexFields.TEXT, upsert.text());
        if (withVector) {
            ArrayNode vector = doc.putArray(IndexFields.EMBEDDING);
            for (float v : upsert.vector()) {
                vector.add(v);
            }
        }
        if (upsert.entity() != null) {
            doc.put(IndexFields.ENTITY, upsert.entity());
        }
        if (upsert.windowStart() != null) {
            doc.put(IndexFields.WINDOW_START, upsert.windowStart().toString());
        }
        if (upsert.windowEnd() != null) {
            doc.put(IndexFields.WINDOW_END, upsert.windowEnd().toString());
        }
        doc.put(IndexFields.INDEXED_AT, now.toString());
        doc.put(IndexFields.MODEL, upsert.model());
        if (upsert.contentHash() != null) {
            doc.put(IndexFields.CONTENT_HASH, upsert.contentHash());
        }
        if (!upsert.metadata().isEmpty()) {
            doc.set(IndexFields.METADATA, JSON.valueToTree(upsert.metadata()));
        }
        return doc;
    }

    /** The payload of a dead letter for {@code action}: the document without its vector. */
    public static byte[] deadLetterPayload(IndexAction action, Instant now) {
        try {
            if (action instanceof IndexAction.Upsert upsert) {
                return JSON.writeValueAsBytes(source(upsert, now, false));
            }
            ObjectNode node = JSON.createObjectNode();
            if (action instanceof IndexAction.Delete delete) {
                node.put("delete", delete.id());
            } else if (action instanceof IndexAction.DeleteEntity entity) {
                node.put("delete_entity", entity.entity());
            }
            return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + action, e);
        }
    }
}
