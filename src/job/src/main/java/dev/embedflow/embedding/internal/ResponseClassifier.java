package dev.embedflow.embedding.internal;

import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.Outcome;
import dev.embedflow.http.TransportFailure;
import org.apache.flink.annotation.Internal;

/**
 * The one place that names the outcome of an embedding request: an HTTP status, or a transport
 * failure. Every provider uses it, so that the batching function sees the same taxonomy whatever
 * the service.
 */
@Internal
public final class ResponseClassifier {

    private ResponseClassifier() {}

    /** The outcome of an HTTP response with {@code status}. */
    public static Outcome classify(int status) {
        if (status >= 200 && status < 300) {
            return Outcome.SUCCESS;
        }
        return switch (status) {
            case 429 -> Outcome.RETRYABLE_RATE_LIMITED;
            case 408 -> Outcome.RETRYABLE_TIMEOUT;
            // 400 invalid input, 413 too large / too many inputs, 422 TEI tokenization/validation.
            case 400, 413, 422 -> Outcome.SPLIT_BATCH;
            // TEI: 424 "Embedding Error" from the backend.
            case 424 -> Outcome.RETRYABLE_SERVER;
            default -> status >= 500 ? Outcome.RETRYABLE_SERVER : Outcome.FATAL;
        };
    }

    /** The outcome of a request that got no HTTP response because of {@code failure}. */
    public static Outcome classify(Throwable failure) {
        return switch (TransportFailure.of(EmbeddingException.unwrap(failure))) {
            case TIMEOUT -> Outcome.RETRYABLE_TIMEOUT;
            case CONNECTION -> Outcome.RETRYABLE_CONNECTION;
            case OTHER -> Outcome.FATAL;
        };
    }
}
