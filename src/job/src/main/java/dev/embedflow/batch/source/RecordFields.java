package dev.embedflow.batch.source;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * Which fields of a structured record (a JSON object, a CSV row, a table row) make a document: JSON
 * pointers for JSON, column names for CSV and tables. What is not given is found in each record:
 *
 * <ul>
 *   <li>no id: the field {@code id} when the record has one, else its line or position;
 *   <li>no text fields: the field {@code text} when the record has one, else every field holding
 *       text (not a number, not a boolean, not blank) but the id;
 *   <li>no title: {@code title}, else {@code name}.
 * </ul>
 *
 * @param id the field whose value identifies the record, or null (found)
 * @param text the fields whose values are the text, in order; empty (found)
 * @param title the field holding a title, or null (found)
 * @param metadata the fields kept as metadata; empty means every other scalar field
 */
@Internal
public record RecordFields(String id, List<String> text, String title, List<String> metadata)
        implements Serializable {

    public RecordFields {
        text = List.copyOf(Objects.requireNonNull(text, "text"));
        metadata = metadata == null ? List.of() : List.copyOf(metadata);
    }

    /** Whether the text fields are found in each record. */
    public boolean findsText() {
        return text.isEmpty();
    }

    /** These fields with {@code id}, {@code text} and {@code title} as found in one record. */
    public RecordFields resolved(String id, List<String> text, String title) {
        return new RecordFields(id, text, title, metadata);
    }

    /** Whether {@code field} is the id, title or a text field. */
    public boolean isDocumentField(String field) {
        return field.equals(id) || field.equals(title) || text.contains(field);
    }
}
