package dev.embedflow.embedding;

import org.apache.flink.annotation.PublicEvolving;

/** What happens to a text whose retry budget is spent. */
@PublicEvolving
public enum RetriesExhausted {
    /** It goes to the dead-letter output with the last error; the job goes on. */
    DEAD_LETTER,
    /** The job fails. */
    FAIL
}
