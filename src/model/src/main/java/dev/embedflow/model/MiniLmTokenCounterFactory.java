package dev.embedflow.model;

import dev.embedflow.chunk.TokenCounter;
import dev.embedflow.chunk.TokenCounterFactory;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.annotation.Internal;

/**
 * Exact token counts for all-MiniLM-L6-v2 and its int8 export (one tokenizer), whoever serves it
 * (the in-process model, the embedding server, TEI), registered through ServiceLoader.
 */
@Internal
public final class MiniLmTokenCounterFactory implements TokenCounterFactory {

    @Override
    public Optional<TokenCounter> forModel(String model) {
        boolean miniLm =
                model.toLowerCase(Locale.ROOT)
                        .contains(LocalEmbeddingModel.MODEL_ID.toLowerCase(Locale.ROOT));
        return miniLm ? Optional.of(new MiniLmTokenCounter()) : Optional.empty();
    }
}
