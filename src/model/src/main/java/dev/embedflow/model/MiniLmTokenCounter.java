package dev.embedflow.model;

import dev.embedflow.chunk.TokenCounter;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Exact token counts of all-MiniLM-L6-v2 (its own WordPiece tokenizer, [CLS] and [SEP] included),
 * without loading the model: only the tokenizer file is read, once per JVM.
 */
public final class MiniLmTokenCounter implements TokenCounter {
    private static final long serialVersionUID = 1L;

    /** The model's [CLS] and [SEP]. */
    private static final int SPECIAL_TOKENS = 2;

    private static final class Shared {
        static final MiniLmTokenizer TOKENIZER = load();

        private static MiniLmTokenizer load() {
            try {
                return MiniLmTokenizer.load(LocalModel.TOKENIZER_RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the all-MiniLM-L6-v2 tokenizer", e);
            }
        }
    }

    @Override
    public int count(String text) {
        return Shared.TOKENIZER.ids(text).length;
    }

    @Override
    public int overhead() {
        return SPECIAL_TOKENS;
    }

    @Override
    public String toString() {
        return "all-MiniLM-L6-v2 WordPiece";
    }
}
