package dev.embedflow.qa.session;

/** The session store cannot be reached (or answered nonsense); the question goes on without it. */
public final class SessionStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SessionStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
