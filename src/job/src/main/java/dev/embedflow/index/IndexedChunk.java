package dev.embedflow.index;

import org.apache.flink.annotation.Internal;

/**
 * One chunk of a document on its way to the index, as {@link ChangeDetector} compares it with what
 * the index holds: its id, its document's id, its place among the document's chunks and the hash
 * the index stores for it.
 */
@Internal
public interface IndexedChunk {

    /** This chunk's id in the index. */
    String chunkId();

    /** The id of the document this is a chunk of. */
    String parentId();

    /** The entity the document belongs to (for ordering deletes with its other writes). */
    String entity();

    /** Which chunk this is, from 0. */
    int chunkIndex();

    /** How many chunks the document has now. */
    int chunkCount();

    /** What the index stores as {@code content_hash} for this chunk. */
    String contentHash();

    /** The id chunk {@code index} of {@code count} of the same document has. */
    String chunkId(int index, int count);

    /** The order of this write among its entity's writes (0 when writes are not ordered). */
    default long sequence() {
        return 0;
    }

    /**
     * Whether to compare with the index; false when the chunk is known to differ from what was last
     * indexed (it passes on at once, and the chunks it replaces are already taken care of).
     */
    default boolean lookUp() {
        return true;
    }
}
