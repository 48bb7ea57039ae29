package dev.embedflow.embedding.async;

import dev.embedflow.deadletter.Origin;
import dev.embedflow.embedding.Embeddable;
import java.util.List;

/** A record to embed in tests: an id, a text and a Kafka origin derived from the id. */
public record TestDocument(String documentId, String text, List<Origin> origins)
        implements Embeddable {

    public static TestDocument of(int n, String text) {
        return new TestDocument(
                "doc-" + n, text, List.of(Origin.kafka("events", 0, n, 1_700_000_000_000L + n)));
    }
}
