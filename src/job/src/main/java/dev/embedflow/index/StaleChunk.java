package dev.embedflow.index;

import org.apache.flink.annotation.Internal;

/**
 * A chunk id left in the index by an older, longer version of a document, to delete.
 *
 * @param id the stale chunk's id
 * @param entity the entity of the document
 * @param sequence the sequence of the write that made it stale
 */
@Internal
public record StaleChunk(String id, String entity, long sequence) {}
