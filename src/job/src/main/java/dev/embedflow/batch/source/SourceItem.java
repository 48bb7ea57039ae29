package dev.embedflow.batch.source;

import dev.embedflow.batch.SourceDocument;
import dev.embedflow.deadletter.DeadLetter;
import java.io.Serializable;
import org.apache.flink.annotation.Internal;

/**
 * What a bounded source emits: a document, a dead letter (a malformed file or record), or the end
 * of a file with its size (for progress). Exactly one of the three is set.
 */
@Internal
public final class SourceItem implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SourceDocument document;
    private final DeadLetter deadLetter;
    private final Long fileBytes;

    private SourceItem(SourceDocument document, DeadLetter deadLetter, Long fileBytes) {
        this.document = document;
        this.deadLetter = deadLetter;
        this.fileBytes = fileBytes;
    }

    public static SourceItem document(SourceDocument document) {
        return new SourceItem(document, null, null);
    }

    public static SourceItem deadLetter(DeadLetter deadLetter) {
        return new SourceItem(null, deadLetter, null);
    }

    /** The end of a file of {@code bytes} bytes: every record of it was emitted before. */
    public static SourceItem fileEnd(long bytes) {
        return new SourceItem(null, null, bytes);
    }

    /** The document, or null. */
    public SourceDocument document() {
        return document;
    }

    /** The dead letter, or null. */
    public DeadLetter deadLetter() {
        return deadLetter;
    }

    /** The size of the file that ended, or null. */
    public Long fileBytes() {
        return fileBytes;
    }

    @Override
    public String toString() {
        return document != null
                ? "SourceItem[" + document.id() + "]"
                : deadLetter != null ? "SourceItem[" + deadLetter + "]" : "SourceItem[end of file]";
    }
}
