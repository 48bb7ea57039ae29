package dev.embedflow.index;

import org.apache.flink.annotation.PublicEvolving;

/**
 * The index exists but was built for another model, dimension, engine or space type. The message
 * lists every difference and how to proceed.
 */
@PublicEvolving
public class IndexMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IndexMismatchException(String message) {
        super(message);
    }
}
