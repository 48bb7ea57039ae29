package dev.embedflow.embedding.internal;

import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
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

    /**
     * The wait a {@code Retry-After} header asks for: delay-seconds or an HTTP date (RFC 9110);
     * empty when absent or unreadable. A date in the past is a zero wait.
     */
    public static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        try {
            double seconds = Double.parseDouble(value);
            if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at =
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
