package dev.embedflow.cli;

import dev.embedflow.batch.BatchOptions;
import dev.embedflow.chunk.ChunkOptions;
import dev.embedflow.deadletter.DeadLetterOptions;
import dev.embedflow.embedding.EmbeddingOptions;
import dev.embedflow.opensearch.OpenSearchOptions;
import dev.embedflow.qa.QaOptions;
import dev.embedflow.search.SearchOptions;
import dev.embedflow.source.SourceOptions;
import dev.embedflow.stream.StreamingJob;
import dev.embedflow.window.WindowOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

/**
 * The configuration reference, generated from the typed options so that it cannot drift from them:
 * the README embeds it (a test keeps the two equal) and {@code embedflow config} prints it.
 */
public final class ConfigReference {

    /** A group of options: a heading and the class that holds them as constants. */
    public record Section(String title, Class<?> options) {}

    /** Every option group of EmbedFlow, in the order of the pipeline. */
    public static final List<Section> SECTIONS =
            List.of(
                    new Section("Kafka source and event format", SourceOptions.class),
                    new Section("Windows and documents", WindowOptions.class),
                    new Section("Chunking", ChunkOptions.class),
                    new Section("Embedding", EmbeddingOptions.class),
                    new Section("OpenSearch", OpenSearchOptions.class),
                    new Section("Dead letters", DeadLetterOptions.class),
                    new Section("Batch job (files and tables)", BatchOptions.class),
                    new Section("Search", SearchOptions.class),
                    new Section("Q&A service", QaOptions.class),
                    new Section("Job", StreamingJob.class));

    private ConfigReference() {}

    /** The reference as Markdown: one table per section. */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        for (Section section : SECTIONS) {
            out.append("## ").append(section.title()).append("\n\n");
            out.append("| Key | Type | Default | Description |\n|---|---|---|---|\n");
            for (Field field : optionFields(section.options())) {
                ConfigOption<?> option = option(field);
                out.append("| `")
                        .append(option.key())
                        .append("` | ")
                        .append(typeName(field))
                        .append(" | ")
                        .append(
                                option.hasDefaultValue() && !format(option.defaultValue()).isEmpty()
                                        ? "`" + format(option.defaultValue()) + "`"
                                        : "")
                        .append(" | ")
                        .append(
                                new HtmlFormatter()
                                        .format(option.description())
                                        .replace("|", "\\|")
                                        .replace("\n", " "))
                        .append(" |\n");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Every public static {@link ConfigOption} of a class, sorted by key. */
    public static List<ConfigOption<?>> options(Class<?> holder) {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : optionFields(holder)) {
            options.add(option(field));
        }
        return options;
    }

    private static List<Field> optionFields(Class<?> holder) {
        List<Field> fields = new ArrayList<>();
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                fields.add(field);
            }
        }
        fields.sort(Comparator.comparing(f -> option(f).key()));
        return fields;
    }

    private static ConfigOption<?> option(Field field) {
        try {
            return (ConfigOption<?>) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("option constant not readable: " + field, e);
        }
    }

    /** {@code Duration} for a {@code ConfigOption<Duration>}, {@code List<String>} for lists. */
    private static String typeName(Field field) {
        Type type = ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0];
        if (type instanceof ParameterizedType list) {
            return ((Class<?>) list.getRawType()).getSimpleName()
                    + "&lt;"
                    + ((Class<?>) list.getActualTypeArguments()[0]).getSimpleName()
                    + "&gt;";
        }
        Class<?> raw = (Class<?>) type;
        return raw.isEnum() ? "Enum" : raw.getSimpleName();
    }

    private static String format(Object value) {
        if (value instanceof Duration d) {
            return TimeUtils.formatWithHighestUnit(d);
        }
        if (value instanceof MemorySize m) {
            return m.toString();
        }
        if (value instanceof List<?> list) {
            return String.join(";", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }
}
