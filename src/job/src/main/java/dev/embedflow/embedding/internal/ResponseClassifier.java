package dev.embedflow.embedding.internal;

import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
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
        Throwable t = EmbeddingException.unwrap(failure);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return Outcome.RETRYABLE_TIMEOUT;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException
                    || c instanceof ClosedChannelException
                    || c instanceof IOException) {
                return Outcome.RETRYABLE_CONNECTION;
            }
        }
        return Outcome.FATAL;
    }
}
