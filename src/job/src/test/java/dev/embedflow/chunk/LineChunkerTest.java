package dev.embedflow.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineChunkerTest {

    private static final String HEADING =
            "customer-42: 40 events from 2026-03-01T00:00:00Z to 2026-03-02T00:00:00Z";

    private static String document(int events) {
        StringBuilder text = new StringBuilder(HEADING).append('\n');
        for (int i = 0; i < events; i++) {
            text.append("- 2026-03-01T10:")
                    .append(String.format("%02d", i % 60))
                    .append(":00Z order.placed: orderId: ")
                    .append(1000 + i)
                    .append(", items: trail running shoes, total: 79.9\n");
        }
        return text.toString();
    }

    @Test
    void textThatFitsIsOneChunkUnchanged() {
        LineChunker chunker = new LineChunker(TokenCounter.estimate(2), 256);
        String text = document(2);

        assertThat(chunker.chunk(text)).containsExactly(text);
    }

    @Test
    void longDocumentIsSplitOnLinesIntoChunksThatFitTheModelWithNothingLost() {
        TokenCounter counter = TokenCounter.estimate(2);
        LineChunker chunker = new LineChunker(counter, 256);
        String text = document(40);

        List<String> chunks = chunker.chunk(text);

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks).allSatisfy(c -> assertThat(counter.count(c)).isLessThanOrEqualTo(256));
        assertThat(chunks).allSatisfy(c -> assertThat(c).startsWith(HEADING + "\n"));
        List<String> lines = new ArrayList<>();
        for (String chunk : chunks) {
            List<String> chunkLines = List.of(chunk.split("\n"));
            lines.addAll(chunkLines.subList(1, chunkLines.size()));
        }
        assertThat(lines).containsExactlyElementsOf(List.of(text.split("\n")).subList(1, 41));
    }

    @Test
    void lineLongerThanTheLimitIsSplitBetweenWords() {
        TokenCounter bytes = TokenCounter.estimate(1);
        LineChunker chunker = new LineChunker(bytes, 20);
        String text = "head\n" + "alpha beta gamma delta epsilon zeta eta theta iota kappa";

        List<String> chunks = chunker.chunk(text);

        assertThat(chunks).allSatisfy(c -> assertThat(bytes.count(c)).isLessThanOrEqualTo(20));
        List<String> words = new ArrayList<>();
        for (String chunk : chunks) {
            for (String word : chunk.split("\\s+")) {
                if (!word.isEmpty() && !word.equals("head")) {
                    words.add(word);
                }
            }
        }
        assertThat(String.join(" ", words))
                .isEqualTo("alpha beta gamma delta epsilon zeta eta theta iota kappa");
    }

    @Test
    void estimateRoundsUp() {
        assertThat(TokenCounter.estimate(4).count("abcde")).isEqualTo(2);
        assertThat(TokenCounter.estimate(4).count("")).isZero();
    }
}
