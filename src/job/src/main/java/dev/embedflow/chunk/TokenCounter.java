package dev.embedflow.chunk;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Counts the tokens a model sees for a text. Counts must add up: the count of lines joined by
 * newlines is the sum of their counts minus {@link #overhead()} for every line but one (WordPiece
 * and byte estimates both behave so).
 */
@PublicEvolving
public interface TokenCounter extends Serializable {

    /** Tokens of {@code text}, the model's special tokens included. */
    int count(String text);

    /** Tokens every text carries whatever its content (for example [CLS] and [SEP]). */
    int overhead();

    /**
     * An estimate for models whose tokenizer is not at hand: one token per {@code bytesPerToken}
     * bytes of UTF-8, rounded up.
     */
    static TokenCounter estimate(double bytesPerToken) {
        if (!(bytesPerToken > 0)) {
            throw new IllegalArgumentException(
                    "bytesPerToken must be positive, was " + bytesPerToken);
        }
        return new EstimatingTokenCounter(bytesPerToken);
    }

    /** See {@link TokenCounter#estimate}. */
    record EstimatingTokenCounter(double bytesPerToken) implements TokenCounter {
        @Override
        public int count(String text) {
            int bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            return (int) Math.ceil(bytes / bytesPerToken);
        }

        @Override
        public int overhead() {
            return 0;
        }
    }
}
