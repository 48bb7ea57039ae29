package dev.embedflow.embedding;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * An embedding request that did not give vectors, with its {@link Outcome}. The message names the
 * provider, its URL and the model, and the service's own error message; never an API key.
 */
@PublicEvolving
public final class EmbeddingException extends RuntimeException {

    private final Outcome outcome;
    private final int httpStatus;
    private final Duration retryAfter;
    private final String serviceMessage;

    /**
     * @param outcome the classified outcome (never {@link Outcome#SUCCESS})
     * @param httpStatus the HTTP status, or 0 when there was no HTTP response
     * @param retryAfter how long the service asked to wait, or null
     * @param serviceMessage the service's (or transport's) own message, already free of secrets
     * @param message the full message: provider, URL, model and the service message
     * @param cause the transport failure, or null
     */
    public EmbeddingException(
            Outcome outcome,
            int httpStatus,
            Duration retryAfter,
            String serviceMessage,
            String message,
            Throwable cause) {
        super(message, cause);
        if (outcome == Outcome.SUCCESS) {
            throw new IllegalArgumentException("a failure cannot be a SUCCESS");
        }
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
        this.serviceMessage = Objects.requireNonNull(serviceMessage, "serviceMessage");
    }

    /** The classified outcome. */
    public Outcome outcome() {
        return outcome;
    }

    /** The HTTP status, or 0 when the request got no response. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The wait the service asked for with {@code Retry-After}, if any. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The service's own error message (e.g. OpenAI's {@code error.message}), secrets removed. */
    public String serviceMessage() {
        return serviceMessage;
    }

    /**
     * The failure inside {@link java.util.concurrent.CompletionException} and {@link
     * java.util.concurrent.ExecutionException} wrappers, as futures of {@link
     * EmbeddingProvider#embed} report it.
     */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException
                        || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
