package dev.embedflow.batch;

import dev.embedflow.deadletter.Origin;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * A document read from a bounded source (a file, a file's record, a table row), before chunking.
 *
 * @param id the deterministic document id: path (whole files), {@code path:key} (records) or the
 *     row's primary key
 * @param source where it came from: {@code file} or {@code jdbc}
 * @param path the file path, or the table (query) it was read from
 * @param format the format it was read as ({@code jsonl}, {@code csv}, {@code pdf}, {@code sql}...)
 * @param title a title (file name, HTML title, first heading, title column), or null
 * @param metadata further fields (strings), e.g. a CSV row's other columns
 * @param parts the text, in parts that chunks never span: Markdown sections, PDF pages
 * @param origin where to look when something is wrong with it
 * @param textFields the record fields (JSON pointers, column names) its text came from; empty for a
 *     whole file
 */
@Internal
public record SourceDocument(
        String id,
        String source,
        String path,
        String format,
        String title,
        Map<String, String> metadata,
        List<Part> parts,
        Origin origin,
        List<String> textFields)
        implements Serializable {

    /** A document that is a whole file (no record fields). */
    public SourceDocument(
            String id,
            String source,
            String path,
            String format,
            String title,
            Map<String, String> metadata,
            List<Part> parts,
            Origin origin) {
        this(id, source, path, format, title, metadata, parts, origin, List.of());
    }

    public SourceDocument {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        metadata = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
        parts = List.copyOf(parts);
        Objects.requireNonNull(origin, "origin");
        textFields = textFields == null ? List.of() : List.copyOf(textFields);
    }

    /**
     * A part of a document's text.
     *
     * @param text the text
     * @param section its Markdown heading path, or null
     * @param page its 1-based PDF page, or null
     */
    public record Part(String text, String section, Integer page) implements Serializable {
        public Part {
            Objects.requireNonNull(text, "text");
        }

        /** A part without section or page. */
        public static Part of(String text) {
            return new Part(text, null, null);
        }
    }

    /** Whether the document has no text at all. */
    public boolean isBlank() {
        return parts.stream().allMatch(p -> p.text().isBlank());
    }
}
