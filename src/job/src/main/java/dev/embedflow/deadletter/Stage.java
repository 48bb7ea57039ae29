package dev.embedflow.deadletter;

import org.apache.flink.annotation.PublicEvolving;

/** The pipeline stage that gave up on a record. */
@PublicEvolving
public enum Stage {
    /** Reading and parsing: not JSON, no key, no or bad time, too large. */
    SOURCE,
    /** Aggregating events into a document and rendering it. */
    WINDOW,
    /** Chunking and embedding: over the token limit, rejected by the provider, retries spent. */
    EMBEDDING,
    /** Writing to OpenSearch: a document the mapping rejects, retries spent. */
    SINK
}
