package dev.embedflow.opensearch;

import org.apache.flink.annotation.PublicEvolving;

/**
 * OpenSearch could not be used: unreachable, TLS not trusted, credentials refused, or a request
 * failed. The message says what and how to fix it, and never contains a secret.
 */
@PublicEvolving
public class OpenSearchConnectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public OpenSearchConnectionException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status if OpenSearch (or a proxy in front of it) answered, 0 otherwise. */
    public int status() {
        return status;
    }
}
