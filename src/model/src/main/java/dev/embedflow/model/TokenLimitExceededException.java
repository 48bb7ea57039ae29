package dev.embedflow.model;

/**
 * A text has more tokens than the model accepts and the caller did not ask for truncation. The
 * message names the input's index, its token count and the limit, never the text itself.
 */
public final class TokenLimitExceededException extends RuntimeException {

    private final int inputIndex;
    private final int tokenCount;
    private final int limit;

    public TokenLimitExceededException(int inputIndex, int tokenCount, int limit) {
        super(
                "input "
                        + inputIndex
                        + " has "
                        + tokenCount
                        + " tokens, more than the model's limit of "
                        + limit
                        + " tokens (special tokens included); shorten it or request truncation");
        this.inputIndex = inputIndex;
        this.tokenCount = tokenCount;
        this.limit = limit;
    }

    /** Index of the offending text in the caller's list (0-based). */
    public int inputIndex() {
        return inputIndex;
    }

    /** Tokens of the offending text, special tokens included. */
    public int tokenCount() {
        return tokenCount;
    }

    /** The model's limit, special tokens included. */
    public int limit() {
        return limit;
    }
}
