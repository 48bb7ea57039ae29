package dev.embedflow.http;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import org.apache.flink.annotation.PublicEvolving;

/**
 * What kind of failure an HTTP request without an answer met, wherever it is wrapped: the embedding
 * providers' and the Q&A service's LLM client's classification.
 */
@PublicEvolving
public enum TransportFailure {
    /** Some cause is a timeout: worth a retry. */
    TIMEOUT,
    /** Some cause is a refused, reset or closed connection (an I/O error): worth a retry. */
    CONNECTION,
    /** Anything else: a bug or a misconfiguration, not worth a retry. */
    OTHER;

    /** The kind of {@code failure}: a timeout anywhere in its causes first, then an I/O error. */
    public static TransportFailure of(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return TIMEOUT;
            }
        }
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof ConnectException
                    || c instanceof ClosedChannelException
                    || c instanceof IOException) {
                return CONNECTION;
            }
        }
        return OTHER;
    }
}
