package dev.embedflow.batch.source;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * Which fields of a structured record (a JSON object, a CSV row, a table row) make a document: JSON
 * pointers for JSON, column names for CSV and tables.
 *
 * @param id the field whose value identifies the record, or null (then its line or position)
 * @param text the fields whose values are the text, in order
 * @param title the field holding a title, or null
 * @param metadata the fields kept as metadata; empty means every other scalar field
 */
@Internal
public record RecordFields(String id, List<String> text, String title, List<String> metadata)
        implements Serializable {

    public RecordFields {
        text = List.copyOf(Objects.requireNonNull(text, "text"));
        metadata = metadata == null ? List.of() : List.copyOf(metadata);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("at least one text field is needed");
        }
    }

    /** Whether {@code field} is the id, title or a text field. */
    public boolean isDocumentField(String field) {
        return field.equals(id) || field.equals(title) || text.contains(field);
    }
}
