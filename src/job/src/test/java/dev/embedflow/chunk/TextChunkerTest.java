package dev.embedflow.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextChunkerTest {

    /** One token per byte: easy to reason about. */
    private static final TokenCounter BYTES = TokenCounter.estimate(1.0);

    @Test
    void textThatFitsIsOneTrimmedChunkAndBlankTextNone() {
        TextChunker chunker = new TextChunker(BYTES, 100, 10);
        assertThat(chunker.chunk("  short text\n")).containsExactly("short text");
        assertThat(chunker.chunk(" \n\n ")).isEmpty();
    }

    @Test
    void splitsOnParagraphsFirstAndEveryChunkFits() {
        String first = "First paragraph. It has two sentences.";
        String second = "Second paragraph is here.";
        String third = "Third one closes the text.";
        String text = first + "\n\n" + second + "\n\n" + third;
        List<String> chunks = new TextChunker(BYTES, 70, 0).chunk(text);
        assertThat(chunks).containsExactly(first + "\n\n" + second, third);
    }

    @Test
    void longParagraphSplitsOnSentencesWithOverlapAndLosesNothing() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            text.append("Sentence number ").append(i).append(" says something. ");
        }
        TextChunker chunker = new TextChunker(BYTES, 120, 40);
        List<String> chunks = chunker.chunk(text.toString());
        assertThat(chunks).hasSizeGreaterThan(5);
        assertThat(chunks).allSatisfy(c -> assertThat(BYTES.count(c)).isLessThanOrEqualTo(120));
        assertThat(chunks).allSatisfy(c -> assertThat(c).startsWith("Sentence").endsWith("."));
        for (int i = 0; i < 30; i++) {
            String sentence = "Sentence number " + i + " says something.";
            assertThat(chunks).anySatisfy(c -> assertThat(c).contains(sentence));
        }
        // consecutive chunks share the previous chunk's last sentence
        for (int i = 1; i < chunks.size(); i++) {
            String previous = chunks.get(i - 1);
            String lastSentence = previous.substring(previous.lastIndexOf("Sentence"));
            assertThat(chunks.get(i)).startsWith(lastSentence);
        }
    }

    @Test
    void aWordLongerThanAChunkIsCutByCharactersNotDropped() {
        String word = "x".repeat(50);
        List<String> chunks = new TextChunker(BYTES, 20, 0).chunk("a " + word + " b");
        assertThat(String.join("", chunks).replace(" ", "")).isEqualTo("a" + word + "b");
        assertThat(chunks).allSatisfy(c -> assertThat(BYTES.count(c)).isLessThanOrEqualTo(20));
    }

    @Test
    void overlapOfHalfTheChunkOrMoreIsRefused() {
        assertThatThrownBy(() -> new TextChunker(BYTES, 100, 50))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overlapTokens");
    }

    @Test
    void markdownSplitsAtHeadingsWithTheirPathButNotInsideCodeFences() {
        String markdown =
                "Intro line.\n# Guide\nAbout.\n## Install\nRun it.\n```\n# not a heading\n```\n"
                        + "## Usage\nUse it.\n# Other\nMore.";
        assertThat(MarkdownSections.split(markdown))
                .containsExactly(
                        new MarkdownSections.Section(null, "Intro line."),
                        new MarkdownSections.Section("Guide", "# Guide\nAbout."),
                        new MarkdownSections.Section(
                                "Guide > Install",
                                "## Install\nRun it.\n```\n# not a heading\n```"),
                        new MarkdownSections.Section("Guide > Usage", "## Usage\nUse it."),
                        new MarkdownSections.Section("Other", "# Other\nMore."));
    }
}
