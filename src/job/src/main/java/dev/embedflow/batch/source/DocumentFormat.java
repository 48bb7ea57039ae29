package dev.embedflow.batch.source;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/** The formats the batch job reads files in; {@link #AUTO} chooses by file extension. */
@PublicEvolving
public enum DocumentFormat {
    AUTO,
    /** One JSON object per line. */
    JSONL,
    /** A JSON array of objects (or one object, or objects one after another). */
    JSON,
    /** CSV with a header row. */
    CSV,
    /** Plain text: one document per file. */
    TEXT,
    /** Markdown: one document per file, chunked by headings (the section kept as metadata). */
    MARKDOWN,
    /** HTML: the title and the main text. */
    HTML,
    /** PDF: the text of each page, page numbers kept. */
    PDF;

    /** The format of {@code fileName} by its extension, or null when none fits. */
    public static DocumentFormat byExtension(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1);
        return switch (extension) {
            case "jsonl", "ndjson" -> JSONL;
            case "json" -> JSON;
            case "csv" -> CSV;
            case "txt", "text", "log" -> TEXT;
            case "md", "markdown" -> MARKDOWN;
            case "html", "htm", "xhtml" -> HTML;
            case "pdf" -> PDF;
            default -> null;
        };
    }

    /** The name used in metadata ({@code metadata.format}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
