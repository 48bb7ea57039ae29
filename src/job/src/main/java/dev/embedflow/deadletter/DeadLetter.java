package dev.embedflow.deadletter;

import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A record the pipeline could not handle, kept with why and where: it goes to the dead-letter topic
 * instead of failing the job or being dropped.
 *
 * @param stage the stage that gave up
 * @param reason a human-readable reason (never a secret: no API keys, no credentials)
 * @param origins where the record came from; several for a document aggregated from many events
 * @param documentId the document id concerned, or null before documents exist (source stage)
 * @param payload the original bytes (the Kafka value, the file line) or the rendered document
 * @param failedAt when the stage gave up
 */
@PublicEvolving
public record DeadLetter(
        Stage stage,
        String reason,
        List<Origin> origins,
        String documentId,
        byte[] payload,
        Instant failedAt)
        implements Serializable {

    public DeadLetter {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
        origins = List.copyOf(origins);
        Objects.requireNonNull(failedAt, "failedAt");
    }

    /** A dead letter failed now. */
    public static DeadLetter of(
            Stage stage, String reason, List<Origin> origins, String documentId, byte[] payload) {
        return new DeadLetter(stage, reason, origins, documentId, payload, Instant.now());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter other
                && stage == other.stage
                && reason.equals(other.reason)
                && origins.equals(other.origins)
                && Objects.equals(documentId, other.documentId)
                && Arrays.equals(payload, other.payload)
                && failedAt.equals(other.failedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, reason, origins, documentId, Arrays.hashCode(payload), failedAt);
    }

    @Override
    public String toString() {
        return "DeadLetter["
                + stage
                + ": "
                + reason
                + ", origins="
                + origins
                + ", documentId="
                + documentId
                + ", payload="
                + (payload == null ? "none" : payload.length + " bytes")
                + "]";
    }
}
