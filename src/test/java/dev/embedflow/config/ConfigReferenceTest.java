package dev.embedflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference is generated from the typed options, so it cannot drift: run
 * with {@code -Dembedflow.docs.update=true} to rewrite it after changing an option.
 */
class ConfigReferenceTest {

    static final Path README = Path.of("README.md");
    static final String START = "<!-- configuration-reference:start -->\n";
    static final String END = "<!-- configuration-reference:end -->";

    @Test
    void readmeCarriesTheReferenceOfTheCurrentOptions() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start).as("README has the %s marker", START.strip()).isNotNegative();
        assertThat(end).as("README has the %s marker", END).isGreaterThan(start);
        String generated = ConfigReference.markdown();
        if (Boolean.getBoolean("embedflow.docs.update")) {
            readme =
                    readme.substring(0, start + START.length()) + generated + readme.substring(end);
            Files.writeString(README, readme, StandardCharsets.UTF_8);
            end = readme.indexOf(END);
        }

        assertThat(readme.substring(start + START.length(), end))
                .as(
                        "README's configuration reference is stale: rerun with -Dembedflow.docs.update=true")
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
