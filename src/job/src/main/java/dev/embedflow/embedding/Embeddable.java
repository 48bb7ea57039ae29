package dev.embedflow.embedding;

import dev.embedflow.deadletter.Origin;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A record the embedding function can embed: the streaming job's documents and chunks and the batch
 * job's documents implement it. What it gives is also what a dead letter carries.
 */
@PublicEvolving
public interface Embeddable {

    /** The deterministic document (or chunk) id. */
    String documentId();

    /** The text to embed. */
    String text();

    /** Where the record came from (Kafka coordinates, file lines), for dead letters. */
    List<Origin> origins();
}
