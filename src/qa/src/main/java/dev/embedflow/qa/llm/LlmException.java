package dev.embedflow.qa.llm;

/**
 * The LLM could not answer: after its retries, or at once for a request it refused. The message
 * names the cause (status, timeout) and never carries the API key or the prompt.
 */
public final class LlmException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why: the label of the {@code embedflow_qa_llm_errors_total} metric. */
    public enum Reason {
        RATE_LIMITED,
        SERVER_ERROR,
        TIMEOUT,
        CONNECTION,
        REJECTED,
        BAD_RESPONSE
    }

    private final Reason reason;
    private final boolean partial;

    public LlmException(Reason reason, String message, boolean partial, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.partial = partial;
    }

    public Reason reason() {
        return reason;
    }

    /** Whether part of the answer had already been handed on when it failed (no retry then). */
    public boolean partial() {
        return partial;
    }
}
