package dev.embedflow.deadletter;

import java.io.Serializable;
import org.apache.flink.annotation.Internal;

/**
 * Writes dead letters from inside an operator (e.g. the OpenSearch sink writer, which learns about
 * a rejected document only from a bulk response). Used on the task thread only. Writes may be
 * asynchronous: {@link #flush()} returns when every earlier dead letter is durably written, and the
 * owner calls it before a checkpoint completes.
 */
@Internal
public interface DeadLetterWriter extends AutoCloseable {

    /** Queues {@code deadLetter}; rethrows an earlier asynchronous write failure. */
    void write(DeadLetter deadLetter) throws Exception;

    /** Blocks until every dead letter written so far is stored; throws if one could not be. */
    void flush() throws Exception;

    @Override
    void close() throws Exception;

    /** Creates the writer in the operator: the factory is what travels in the job graph. */
    @FunctionalInterface
    interface Factory extends Serializable {
        DeadLetterWriter open() throws Exception;
    }

    /**
     * A writer that fails the job on the first dead letter, with its reason: for pipelines without
     * a dead-letter topic, so that nothing is dropped silently.
     */
    static Factory failing() {
        return () ->
                new DeadLetterWriter() {
                    @Override
                    public void write(DeadLetter deadLetter) {
                        throw new IllegalStateException(
                                "No dead-letter output is configured, and a record was rejected: "
                                        + deadLetter);
                    }

                    @Override
                    public void flush() {}

                    @Override
                    public void close() {}
                };
    }
}
