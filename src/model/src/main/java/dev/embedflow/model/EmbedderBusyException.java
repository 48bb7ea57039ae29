package dev.embedflow.model;

/**
 * The embedder's bounded queue cannot take the request now; retrying later may succeed. Nothing of
 * the request was embedded.
 */
public final class EmbedderBusyException extends RuntimeException {

    public EmbedderBusyException(String message) {
        super(message);
    }
}
