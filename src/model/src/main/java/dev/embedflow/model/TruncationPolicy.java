package dev.embedflow.model;

/** What to do with a text that has more tokens than the model accepts. */
public enum TruncationPolicy {
    /**
     * Fail the call with a {@link TokenLimitExceededException} naming the first offending input.
     * Nothing is embedded. This is the default: text is never cut silently.
     */
    REJECT,
    /**
     * Keep the first tokens up to the limit (the closing special token is kept) and flag the result
     * {@link Embedding#truncated()}.
     */
    TRUNCATE
}
