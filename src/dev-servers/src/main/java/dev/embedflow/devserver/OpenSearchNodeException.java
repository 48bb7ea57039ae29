package dev.embedflow.devserver;

/**
 * An OpenSearch node could not be prepared or started, or did not become healthy in time. The
 * message says why and, when the server ran, ends with the last lines of its console log.
 */
public final class OpenSearchNodeException extends RuntimeException {

    public OpenSearchNodeException(String message) {
        super(message);
    }

    public OpenSearchNodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
