package dev.embedflow.chunk;

import java.io.Serializable;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.annotation.Internal;

/**
 * Splits prose into chunks that each fit the model's token limit, at the largest boundary that
 * works: paragraphs (blank lines) first, then sentences ({@link BreakIterator}), then words, and a
 * word longer than a whole chunk by characters. Consecutive chunks overlap by up to {@code
 * overlapTokens} tokens of whole units (the previous chunk's last sentences or words), so a passage
 * cut by a chunk boundary is still whole in one of them.
 *
 * <p>Nothing is cut silently: every non-blank character of the text is in some chunk, in order;
 * only the whitespace between two chunks is dropped. A chunk is an exact substring of the text.
 */
@Internal
public final class TextChunker implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TokenCounter counter;
    private final int maxTokens;
    private final int overlapTokens;

    /**
     * @param counter counts tokens as the model does
     * @param maxTokens most tokens per chunk (the model's special tokens included), at least 16
     * @param overlapTokens most tokens a chunk repeats from the one before, under half of {@code
     *     maxTokens}
     */
    public TextChunker(TokenCounter counter, int maxTokens, int overlapTokens) {
        if (maxTokens < 16) {
            throw new IllegalArgumentException("maxTokens must be at least 16, was " + maxTokens);
        }
        if (overlapTokens < 0 || overlapTokens * 2 >= maxTokens) {
            throw new IllegalArgumentException(
                    "overlapTokens must be between 0 and half of maxTokens ("
                            + maxTokens
                            + "), was "
                            + overlapTokens);
        }
        this.counter = counter;
        this.maxTokens = maxTokens;
        this.overlapTokens = overlapTokens;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int overlapTokens() {
        return overlapTokens;
    }

    /**
     * The chunks of {@code text}: the text itself (trimmed) when it fits, none when it is blank.
     */
    public List<String> chunk(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return List.of();
        }
        if (counter.count(trimmed) <= maxTokens) {
            return List.of(trimmed);
        }
        List<Span> units = new ArrayList<>();
        for (Span paragraph : paragraphs(text)) {
            split(text, paragraph, Level.PARAGRAPH, units);
        }
        return pack(text, units);
    }

    /** Tokens of {@code text} as the model counts them. */
    public int count(String text) {
        return counter.count(text);
    }

    private enum Level {
        PARAGRAPH,
        SENTENCE,
        WORD,
        CHARACTER
    }

    /** A unit of text: {@code [start, end)} of the original, no surrounding whitespace. */
    private record Span(int start, int end) {}

    private int tokens(String text, Span span) {
        return counter.count(text.substring(span.start, span.end));
    }

    /** Adds {@code span} to {@code units}, split at finer boundaries while it does not fit. */
    private void split(String text, Span span, Level level, List<Span> units) {
        if (tokens(text, span) <= maxTokens) {
            units.add(span);
            return;
        }
        switch (level) {
            case PARAGRAPH -> {
                for (Span sentence : sentences(text, span)) {
                    split(text, sentence, Level.SENTENCE, units);
                }
            }
            case SENTENCE -> {
                for (Span word : words(text, span)) {
                    split(text, word, Level.WORD, units);
                }
            }
            default -> {
                // One word longer than a chunk (a long id, a URL, base64): cut by characters.
                int start = span.start;
                while (start < span.end) {
                    int end = span.end;
                    while (end - start > 1
                            && counter.count(text.substring(start, end)) > maxTokens) {
                        end = start + (end - start) / 2;
                    }
                    if (Character.isHighSurrogate(text.charAt(end - 1)) && end < span.end) {
                        end++;
                    }
                    units.add(new Span(start, end));
                    start = end;
                }
            }
        }
    }

    /** Greedily packs units into chunks, each new chunk opening with the previous one's tail. */
    private List<String> pack(String text, List<Span> units) {
        List<String> chunks = new ArrayList<>();
        int first = 0;
        while (first < units.size()) {
            int last = first;
            while (last + 1 < units.size()
                    && counter.count(
                                    text.substring(units.get(first).start, units.get(last + 1).end))
                            <= maxTokens) {
                last++;
            }
            chunks.add(text.substring(units.get(first).start, units.get(last).end));
            if (last + 1 >= units.size()) {
                break;
            }
            // The next chunk starts with as many of this chunk's last units as the overlap allows,
            // and always with at least one new unit.
            int next = last + 1;
            while (next - 1 > first
                    && overlapTokens > 0
                    && counter.count(text.substring(units.get(next - 1).start, units.get(last).end))
                            <= overlapTokens
                    && counter.count(
                                    text.substring(
                                            units.get(next - 1).start, units.get(last + 1).end))
                            <= maxTokens) {
                next--;
            }
            first = next;
        }
        return chunks;
    }

    /** Non-blank runs separated by blank lines. */
    private static List<Span> paragraphs(String text) {
        List<Span> spans = new ArrayList<>();
        int start = -1;
        int end = -1;
        int i = 0;
        int n = text.length();
        while (i < n) {
            int lineEnd = text.indexOf('\n', i);
            if (lineEnd < 0) {
                lineEnd = n;
            }
            if (text.substring(i, lineEnd).isBlank()) {
                if (start >= 0) {
                    spans.add(trim(text, start, end));
                    start = -1;
                }
            } else {
                if (start < 0) {
                    start = i;
                }
                end = lineEnd;
            }
            i = lineEnd + 1;
        }
        if (start >= 0) {
            spans.add(trim(text, start, end));
        }
        return spans;
    }

    private static List<Span> sentences(String text, Span within) {
        BreakIterator iterator = BreakIterator.getSentenceInstance(Locale.ROOT);
        iterator.setText(text.substring(within.start, within.end));
        List<Span> spans = new ArrayList<>();
        int start = iterator.first();
        for (int end = iterator.next(); end != BreakIterator.DONE; end = iterator.next()) {
            Span span = trim(text, within.start + start, within.start + end);
            if (span.end > span.start) {
                spans.add(span);
            }
            start = end;
        }
        return spans;
    }

    private static List<Span> words(String text, Span within) {
        List<Span> spans = new ArrayList<>();
        int i = within.start;
        while (i < within.end) {
            while (i < within.end && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < within.end && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                spans.add(new Span(start, i));
            }
        }
        return spans;
    }

    private static Span trim(String text, int start, int end) {
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return new Span(start, end);
    }
}
