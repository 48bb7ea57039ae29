package dev.embedflow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/**
 * docs/opensearch-options.md is generated from the public {@link ConfigOption} constants of {@link
 * OpenSearchOptions}, so it cannot drift. Regenerate with {@code -Dembedflow.docs.regenerate=true}.
 */
class OpenSearchOptionsReferenceTest {

    private static final Path DOC = Path.of("docs", "opensearch-options.md");

    @Test
    void theOptionsReferenceMatchesTheOptions() throws Exception {
        String generated = reference();
        if (Boolean.getBoolean("embedflow.docs.regenerate")) {
            Files.writeString(DOC, generated);
        }
        assertThat(DOC).as("run with -Dembedflow.docs.regenerate=true to update it").exists();
        assertThat(Files.readString(DOC)).isEqualTo(generated);
    }

    @Test
    void everyOptionHasADescription() throws Exception {
        assertThat(options())
                .allSatisfy(
                        o ->
                                assertThat(
                                                new org.apache.flink.configuration.description
                                                                .HtmlFormatter()
                                                        .format(o.description()))
                                        .isNotBlank());
    }

    private static List<ConfigOption<?>> options() throws IllegalAccessException {
        List<ConfigOption<?>> options = new java.util.ArrayList<>();
        for (Field field : OpenSearchOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                options.add((ConfigOption<?>) field.get(null));
            }
        }
        options.sort(java.util.Comparator.comparing(ConfigOption::key));
        return options;
    }

    private static String reference() throws IllegalAccessException {
        StringBuilder md =
                new StringBuilder(
                        "# OpenSearch options\n\n"
                                + "Generated from `dev.embedflow.opensearch.OpenSearchOptions` by"
                                + " `OpenSearchOptionsReferenceTest`; set them in `config.yaml` or"
                                + " with `-D`. Secrets are never options: only the environment"
                                + " variable or file that holds them.\n\n"
                                + "| Key | Default | Description |\n|---|---|---|\n");
        for (ConfigOption<?> option : options()) {
            Object value = option.hasDefaultValue() ? option.defaultValue() : null;
            String shown =
                    value == null
                            ? "(none)"
                            : "`"
                                    + (value instanceof List<?> list
                                            ? String.join(
                                                    ";",
                                                    list.stream().map(String::valueOf).toList())
                                            : String.valueOf(value))
                                    + "`";
            md.append("| `")
                    .append(option.key())
                    .append("` | ")
                    .append(shown)
                    .append(" | ")
                    .append(
                            new org.apache.flink.configuration.description.HtmlFormatter()
                                    .format(option.description())
                                    .replace("|", "\\|"))
                    .append(" |\n");
        }
        return md.toString();
    }
}
