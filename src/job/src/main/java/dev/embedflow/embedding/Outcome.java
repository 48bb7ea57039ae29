package dev.embedflow.embedding;

import org.apache.flink.annotation.PublicEvolving;

/**
 * What one embedding request came to, as the single classifier ({@code
 * dev.embedflow.embedding.internal.ResponseClassifier}) names it. Every provider reports its
 * failures with one of these, and the batching function acts on nothing else.
 */
@PublicEvolving
public enum Outcome {
    /** Vectors came back. */
    SUCCESS(false),
    /** 429 (or the local model's full queue): back off, honour Retry-After, halve the in-flight. */
    RETRYABLE_RATE_LIMITED(true),
    /** 5xx (503 included) or TEI's 424 backend error: back off and retry. */
    RETRYABLE_SERVER(true),
    /** No answer within the request timeout (or a 408). */
    RETRYABLE_TIMEOUT(true),
    /** The connection could not be made or broke. */
    RETRYABLE_CONNECTION(true),
    /**
     * The service refused the batch's content (400, 413, 422, a local text over the token limit):
     * split the batch in halves until the bad text is alone, then dead-letter only that text.
     */
    SPLIT_BATCH(false),
    /**
     * The answer could not be used as a whole (wrong number of vectors, not JSON): treated like
     * {@link #SPLIT_BATCH}, so that a single text's bad answer is dead-lettered.
     */
    INVALID_RESPONSE(false),
    /** 401, 403, 404 (unknown model or wrong URL), other 4xx: no retry can help; fail the job. */
    FATAL(false);

    private final boolean retryable;

    Outcome(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether backing off and sending the same texts again may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** Whether the batch should be split to isolate the text at fault. */
    public boolean splitsBatch() {
        return this == SPLIT_BATCH || this == INVALID_RESPONSE;
    }
}
