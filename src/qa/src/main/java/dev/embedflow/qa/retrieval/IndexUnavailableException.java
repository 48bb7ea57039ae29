package dev.embedflow.qa.retrieval;

/** The index cannot be searched: missing, or built with another model (the message says which). */
public final class IndexUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IndexUnavailableException(String message) {
        super(message);
    }
}
