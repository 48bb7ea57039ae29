package dev.embedflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.chunk.ChunkOptions;
import dev.embedflow.chunk.LineChunker;
import dev.embedflow.chunk.TokenCounter;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** With this module on the classpath the job's chunker counts all-MiniLM-L6-v2's tokens exactly. */
class MiniLmChunkingTest {

    private static String orders(int lines) {
        StringBuilder text = new StringBuilder("customer-42 orders\n");
        for (int i = 0; i < lines; i++) {
            text.append("2026-03-01T10:")
                    .append(10 + i % 50)
                    .append(":00Z order.placed: orderId: ")
                    .append(1000 + i)
                    .append(", items: trail running shoes, total: 79.9\n");
        }
        return text.toString();
    }

    @Test
    void autoFindsTheMiniLmTokenizerForAnyServerOfTheModel() {
        Configuration config = new Configuration();

        TokenCounter local = ChunkOptions.tokenCounter(config, "all-MiniLM-L6-v2");
        TokenCounter remote =
                ChunkOptions.tokenCounter(config, "sentence-transformers/all-MiniLM-L6-v2");
        TokenCounter other = ChunkOptions.tokenCounter(config, "text-embedding-3-small");

        assertThat(local).isInstanceOf(MiniLmTokenCounter.class);
        assertThat(remote).isInstanceOf(MiniLmTokenCounter.class);
        assertThat(other).isInstanceOf(TokenCounter.EstimatingTokenCounter.class);
        assertThat(ChunkOptions.maxTokens(config, "all-MiniLM-L6-v2"))
                .isEqualTo(LocalEmbeddingModel.MAX_TOKENS);
    }

    @Test
    void chunksFitTheModelsOwnTokenLimit() {
        LineChunker chunker = ChunkOptions.chunker(new Configuration(), "all-MiniLM-L6-v2");
        MiniLmTokenCounter counter = new MiniLmTokenCounter();

        List<String> chunks = chunker.chunk(orders(40));

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks)
                .allSatisfy(
                        c ->
                                assertThat(counter.count(c))
                                        .isLessThanOrEqualTo(LocalEmbeddingModel.MAX_TOKENS));
    }
}
