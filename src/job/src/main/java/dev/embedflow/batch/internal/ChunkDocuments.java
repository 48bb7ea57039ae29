package dev.embedflow.batch.internal;

import dev.embedflow.batch.BatchCounters;
import dev.embedflow.batch.Chunk;
import dev.embedflow.batch.SourceDocument;
import dev.embedflow.batch.source.SourceItem;
import dev.embedflow.chunk.TextChunker;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns source documents into chunks ({@link TextChunker} per part: a chunk never spans two
 * Markdown sections or PDF pages) with their metadata and content hash; source dead letters go to
 * {@link #DEAD_LETTERS}. Counts files, bytes, documents and chunks.
 */
@Internal
public final class ChunkDocuments extends ProcessFunction<SourceItem, Chunk> {
    private static final long serialVersionUID = 1L;

    /** Dead letters of the source (malformed files and records, documents without text). */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("source-dead-letters", TypeInformation.of(DeadLetter.class));

    private final TextChunker chunker;
    private final String model;

    private transient LongCounter files;
    private transient LongCounter bytes;
    private transient LongCounter documents;
    private transient LongCounter chunks;
    private transient FieldCounts textFields;

    public ChunkDocuments(TextChunker chunker, String model) {
        this.chunker = chunker;
        this.model = model;
    }

    @Override
    public void open(OpenContext openContext) {
        files = counter(BatchCounters.FILES);
        bytes = counter(BatchCounters.BYTES);
        documents = counter(BatchCounters.DOCUMENTS);
        chunks = counter(BatchCounters.CHUNKS);
        textFields = new FieldCounts();
        getRuntimeContext().addAccumulator(BatchCounters.TEXT_FIELDS, textFields);
    }

    private LongCounter counter(String name) {
        LongCounter counter = new LongCounter();
        getRuntimeContext().addAccumulator(name, counter);
        return counter;
    }

    @Override
    public void processElement(SourceItem item, Context ctx, Collector<Chunk> out) {
        if (item.fileBytes() != null) {
            files.add(1);
            bytes.add(item.fileBytes());
        } else if (item.deadLetter() != null) {
            ctx.output(DEAD_LETTERS, item.deadLetter());
        } else {
            SourceDocument document = item.document();
            List<Chunk> made = chunks(document, chunker, model);
            if (made.isEmpty()) {
                ctx.output(
                        DEAD_LETTERS,
                        DeadLetter.of(
                                Stage.SOURCE,
                                "no text",
                                List.of(document.origin()),
                                document.id(),
                                null));
                return;
            }
            documents.add(1);
            chunks.add(made.size());
            document.textFields().forEach(textFields::add);
            made.forEach(out::collect);
        }
    }

    /** The chunks of {@code document}, ids {@code <document id>#0..n-1}. */
    public static List<Chunk> chunks(SourceDocument document, TextChunker chunker, String model) {
        record Piece(String text, SourceDocument.Part part) {}
        List<Piece> pieces = new ArrayList<>();
        for (SourceDocument.Part part : document.parts()) {
            for (String text : chunker.chunk(part.text())) {
                pieces.add(new Piece(text, part));
            }
        }
        List<Chunk> chunks = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            Piece piece = pieces.get(i);
            Map<String, Object> metadata = new LinkedHashMap<>();
            document.metadata().forEach(metadata::put);
            metadata.put("source", document.source());
            metadata.put("path", document.path());
            metadata.put("format", document.format());
            if (document.title() != null) {
                metadata.put("title", document.title());
            }
            if (piece.part().section() != null) {
                metadata.put("section", piece.part().section());
            }
            if (piece.part().page() != null) {
                metadata.put("page", piece.part().page());
            }
            metadata.put("document_id", document.id());
            metadata.put("chunk_index", i);
            metadata.put("chunk_count", pieces.size());
            chunks.add(
                    new Chunk(
                            document.id(),
                            i,
                            pieces.size(),
                            piece.text(),
                            Chunk.contentHash(model, piece.text(), metadata),
                            metadata,
                            List.of(document.origin())));
        }
        return chunks;
    }
}
