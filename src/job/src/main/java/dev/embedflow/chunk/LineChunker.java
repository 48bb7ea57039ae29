package dev.embedflow.chunk;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Splits a rendered document into chunks that each fit the model's token limit, on line boundaries
 * (one line per event in the default template), so that nothing is cut: every line is in some
 * chunk. The document's first line (its heading) opens every later chunk too, so each chunk still
 * says whose events it lists. A single line over the limit is split between words.
 */
@Internal
public final class LineChunker implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TokenCounter counter;
    private final int maxTokens;

    public LineChunker(TokenCounter counter, int maxTokens) {
        if (maxTokens < 16) {
            throw new IllegalArgumentException("maxTokens must be at least 16, was " + maxTokens);
        }
        this.counter = counter;
        this.maxTokens = maxTokens;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** The chunks of {@code text}: the text itself when it fits. */
    public List<String> chunk(String text) {
        if (counter.count(text) <= maxTokens) {
            return List.of(text);
        }
        String[] lines = text.split("\n", -1);
        String heading = lines[0];
        int headingTokens = counter.count(heading + "\n") - counter.overhead();
        // Repeat the heading only while it leaves most of the budget to the content.
        boolean repeatHeading = headingTokens <= maxTokens / 4;
        // A line's own budget: what a chunk holds besides the heading and the line's newline.
        int lineBudget = maxTokens - counter.overhead() - (repeatHeading ? headingTokens : 0) - 1;

        List<String> chunks = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty() && i == lines.length - 1) {
                break; // the text's final newline
            }
            for (String piece : fit(line, lineBudget)) {
                String candidate = current + piece + "\n";
                if (current.length() > 0 && counter.count(candidate) > maxTokens) {
                    chunks.add(current.toString());
                    current.setLength(0);
                    if (repeatHeading && i > 0) {
                        current.append(heading).append('\n');
                    }
                }
                current.append(piece).append('\n');
            }
        }
        if (current.length() > 0) {
            chunks.add(current.toString());
        }
        return chunks;
    }

    /**
     * The line itself when it fits a chunk alone (with the heading it may be given), else pieces of
     * whole words that do.
     */
    private List<String> fit(String line, int budget) {
        if (counter.count(line) - counter.overhead() <= budget) {
            return List.of(line);
        }
        List<String> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (String word : line.split(" ")) {
            String candidate = piece.length() == 0 ? word : piece + " " + word;
            if (piece.length() > 0 && counter.count(candidate) - counter.overhead() > budget) {
                pieces.add(piece.toString());
                piece.setLength(0);
                piece.append(word);
            } else {
                piece.setLength(0);
                piece.append(candidate);
            }
            while (counter.count(piece.toString()) - counter.overhead() > budget) {
                // One "word" longer than the budget (a long id or URL): cut it by characters.
                int cut = Math.max(1, piece.length() / 2);
                while (cut > 1
                        && counter.count(piece.substring(0, cut)) - counter.overhead() > budget) {
                    cut /= 2;
                }
                pieces.add(piece.substring(0, cut));
                piece.delete(0, cut);
            }
        }
        if (piece.length() > 0) {
            pieces.add(piece.toString());
        }
        return pieces;
    }
}
