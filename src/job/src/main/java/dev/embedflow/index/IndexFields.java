package dev.embedflow.index;

import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;

/** Field names of an EmbedFlow document, shared by the sink, the index mapping and search. */
@PublicEvolving
public final class IndexFields {

    private IndexFields() {}

    /** The document text (BM25). */
    public static final String TEXT = "text";

    /** The k-NN vector. */
    public static final String EMBEDDING = "embedding";

    /** The entity key (keyword). */
    public static final String ENTITY = "entity";

    /** Window start and end (dates), absent in latest-state mode. */
    public static final String WINDOW_START = "window_start";

    public static final String WINDOW_END = "window_end";

    /** When the sink wrote the document (date). */
    public static final String INDEXED_AT = "indexed_at";

    /** The embedding model (keyword). */
    public static final String MODEL = "model";

    /** Hash of the embedded text (keyword), for unchanged-content checks. */
    public static final String CONTENT_HASH = "content_hash";

    /**
     * Free metadata (object): strings become keywords; a few well-known fields have fixed types
     * ({@link #TYPED_METADATA}).
     */
    public static final String METADATA = "metadata";

    /** Keyword fields at the top level that filters may name directly. */
    public static final Set<String> TOP_LEVEL_KEYWORDS = Set.of(ENTITY, MODEL, CONTENT_HASH);

    /** Metadata fields mapped explicitly: name to OpenSearch type. */
    public static final java.util.Map<String, String> TYPED_METADATA =
            java.util.Map.of(
                    "event_types", "keyword",
                    "source_topics", "keyword",
                    "event_count", "integer",
                    "first_event_at", "date",
                    "last_event_at", "date");
}
