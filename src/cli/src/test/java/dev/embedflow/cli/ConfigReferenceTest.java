package dev.embedflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.testing.TestDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference ({@code docs/configuration.md}) is generated from the typed options,
 * so it cannot drift: run with {@code -Dembedflow.docs.update=true} to rewrite it after changing an
 * option.
 */
class ConfigReferenceTest {

    static final Path REFERENCE = TestDirs.project("docs/configuration.md");
    static final String START = "<!-- configuration-reference:start -->\n";
    static final String END = "<!-- configuration-reference:end -->";

    @Test
    void docsCarryTheReferenceOfTheCurrentOptions() throws IOException {
        String page = Files.readString(REFERENCE, StandardCharsets.UTF_8);
        int start = page.indexOf(START);
        int end = page.indexOf(END);
        assertThat(start).as("%s has the %s marker", REFERENCE, START.strip()).isNotNegative();
        assertThat(end).as("%s has the %s marker", REFERENCE, END).isGreaterThan(start);
        String generated = ConfigReference.markdown();
        if (Boolean.getBoolean("embedflow.docs.update")) {
            page = page.substring(0, start + START.length()) + generated + page.substring(end);
            Files.writeString(REFERENCE, page, StandardCharsets.UTF_8);
            end = page.indexOf(END);
        }

        assertThat(page.substring(start + START.length(), end))
                .as("docs/configuration.md is stale: rerun with -Dembedflow.docs.update=true")
                .isEqualTo(generated);
    }

    @Test
    void everyOptionHasADescriptionAndAUniqueKey() {
        Set<String> keys = new HashSet<>();
        for (ConfigReference.Section section : ConfigReference.SECTIONS) {
            for (ConfigOption<?> option : ConfigReference.options(section.options())) {
                assertThat(keys.add(option.key())).as("duplicate key %s", option.key()).isTrue();
                assertThat(option.description().toString()).as(option.key()).isNotBlank();
            }
        }
        assertThat(keys)
                .contains("source.topics", "window.mode", "embedding.provider", "opensearch.hosts");
    }
}
