package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchCorpusTest {

    @TempDir Path dir;

    @Test
    void writesNineRecordsInTenAsJsonLinesAndTheRestAsMarkdownGuides() throws IOException {
        BatchCorpus.Written corpus = BatchCorpus.write(dir.resolve("c"), 205, 42);

        assertThat(corpus.records()).isEqualTo(185);
        assertThat(corpus.guides()).isEqualTo(20);
        assertThat(corpus.documents()).isEqualTo(205);
        List<String> lines = Files.readAllLines(corpus.dir().resolve("catalog.jsonl"));
        assertThat(lines).hasSize(185);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.path("id").asText()).isEqualTo("p-00000");
        assertThat(first.path("text").asText()).startsWith("A ").contains(" grams ");
        assertThat(first.path("title").asText()).isNotBlank();
        assertThat(lines.stream().map(l -> readId(mapper, l)).distinct()).hasSize(185);
        try (Stream<Path> guides = Files.list(corpus.dir().resolve("guides"))) {
            List<Path> files = guides.sorted().toList();
            assertThat(files).hasSize(20);
            assertThat(Files.readString(files.get(0)))
                    .startsWith("# Caring for your ")
                    .contains("\n## Care\n");
        }
    }

    @Test
    void theSameSizeAndSeedWriteTheSameBytes() throws IOException {
        BatchCorpus.Written one = BatchCorpus.write(dir.resolve("one"), 60, 7);
        BatchCorpus.Written two = BatchCorpus.write(dir.resolve("two"), 60, 7);
        BatchCorpus.Written other = BatchCorpus.write(dir.resolve("other"), 60, 8);

        assertThat(files(two.dir())).isEqualTo(files(one.dir()));
        for (Path file : files(one.dir())) {
            assertThat(Files.readAllBytes(two.dir().resolve(file)))
                    .as(file.toString())
                    .isEqualTo(Files.readAllBytes(one.dir().resolve(file)));
        }
        assertThat(Files.readString(other.dir().resolve("catalog.jsonl")))
                .as("another seed, another corpus")
                .isNotEqualTo(Files.readString(one.dir().resolve("catalog.jsonl")));
    }

    @Test
    void refusesATinyCorpus() {
        assertThatThrownBy(() -> BatchCorpus.write(dir, 9, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    private static String readId(ObjectMapper mapper, String line) {
        try {
            return mapper.readTree(line).path("id").asText();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
