package dev.embedflow.batch;

import dev.embedflow.deadletter.Origin;
import dev.embedflow.embedding.Embeddable;
import dev.embedflow.index.IndexedChunk;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;

/**
 * One embedded unit of a {@link SourceDocument}: chunk {@code index} of {@code count}, id {@code
 * <document id>#<index>}.
 *
 * @param documentId the document's id
 * @param index the 0-based chunk index
 * @param count how many chunks the document has now
 * @param text the chunk's text
 * @param contentHash a hash of model, text and metadata (the chunk count included): equal hashes
 *     mean the indexed chunk needs no new embedding and no rewrite
 * @param metadata the chunk's {@code metadata.*} fields
 * @param origins where the document came from
 */
@Internal
public record Chunk(
        String documentId,
        int index,
        int count,
        String text,
        String contentHash,
        Map<String, Object> metadata,
        List<Origin> origins)
        implements Embeddable, IndexedChunk, Serializable {

    public Chunk {
        Objects.requireNonNull(documentId, "documentId");
        Objects.requireNonNull(text, "text");
        metadata = new LinkedHashMap<>(metadata);
        origins = List.copyOf(origins);
    }

    /** The chunk id of chunk {@code index} of {@code documentId}. */
    public static String id(String documentId, int index) {
        return documentId + "#" + index;
    }

    @Override
    public String documentId() {
        return id(documentId, index);
    }

    /** The id of the document this is a chunk of. */
    @Override
    public String parentId() {
        return documentId;
    }

    @Override
    public String chunkId() {
        return id();
    }

    /** A batch document has no entity: its id stands for it. */
    @Override
    public String entity() {
        return documentId;
    }

    @Override
    public int chunkIndex() {
        return index;
    }

    @Override
    public int chunkCount() {
        return count;
    }

    /** Batch chunk ids always carry their index, even when a document is one chunk. */
    @Override
    public String chunkId(int index, int count) {
        return id(documentId, index);
    }

    /** The chunk's id (same as {@link #documentId()}, which {@link Embeddable} names so). */
    public String id() {
        return id(documentId, index);
    }

    /** A hash of what the index holds for a chunk: model, text and metadata. */
    public static String contentHash(String model, String text, Map<String, Object> metadata) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(model.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(text.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, Object> e : new TreeMap<>(metadata).entrySet()) {
                digest.update((byte) 0);
                digest.update((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
