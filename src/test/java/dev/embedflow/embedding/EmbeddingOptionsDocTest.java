package dev.embedflow.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.junit.jupiter.api.Test;

/**
 * docs/embedding-options.md is generated from {@link EmbeddingOptions}, so it cannot drift: run
 * with {@code -Dembedflow.docs.update=true} to rewrite it after changing an option.
 */
class EmbeddingOptionsDocTest {

    private static final Path DOC = Path.of("docs", "embedding-options.md");

    @Test
    void theOptionsReferenceMatchesTheOptions() throws IOException {
        String expected = render();
        if (Boolean.getBoolean("embedflow.docs.update")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("%s is stale: rerun with -Dembedflow.docs.update=true", DOC)
                .isEqualTo(expected);
    }

    private static String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Embedding options\n\n")
                .append(
                        "Generated from `EmbeddingOptions` by `EmbeddingOptionsDocTest`; do not edit.")
                .append(" Set them in `config.yaml` or with `-D<key>=<value>`.\n\n")
                .append("| Key | Type | Default | Description |\n")
                .append("|---|---|---|---|\n");
        for (Field field : optionFields()) {
            ConfigOption<?> option = option(field);
            out.append("| `")
                    .append(option.key())
                    .append("` | ")
                    .append(typeName(field))
                    .append(" | ")
                    .append(
                            option.hasDefaultValue()
                                    ? "`" + format(option.defaultValue()) + "`"
                                    : "(none)")
                    .append(" | ")
                    .append(
                            new HtmlFormatter()
                                    .format(option.description())
                                    .replace("|", "\\|")
                                    .replace("\n", " "))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static List<Field> optionFields() {
        List<Field> fields = new ArrayList<>();
        for (Field field : EmbeddingOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                fields.add(field);
            }
        }
        return fields;
    }

    private static ConfigOption<?> option(Field field) {
        try {
            return (ConfigOption<?>) field.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code Integer} for a {@code ConfigOption<Integer>} field. */
    private static String typeName(Field field) {
        Type type = ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0];
        return ((Class<?>) type).getSimpleName();
    }

    private static String format(Object value) {
        if (value instanceof java.time.Duration d) {
            return org.apache.flink.util.TimeUtils.formatWithHighestUnit(d);
        }
        return String.valueOf(value);
    }
}
