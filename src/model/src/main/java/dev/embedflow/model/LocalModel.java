package dev.embedflow.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The models the {@code local} provider runs in process: all-MiniLM-L6-v2 as sentence-transformers
 * publishes it (fp32, the default) and its int8-quantised export (Xenova's {@code
 * model_quantized.onnx}, as langchain4j ships it): same tokenizer, inputs and 384 dimensions, about
 * 2.3x the texts per second on a CPU, vectors close to but not equal to fp32's (mean cosine 0.988).
 * Each has its own model id, so an index records which one wrote it and the two are never mixed.
 */
public enum LocalModel {
    /** all-MiniLM-L6-v2, fp32. */
    MINILM_L6_V2(
            "all-MiniLM-L6-v2",
            Set.of("sentence-transformers/all-MiniLM-L6-v2"),
            "all-minilm-l6-v2.onnx",
            "fp32"),
    /** all-MiniLM-L6-v2 quantised to int8. */
    MINILM_L6_V2_INT8(
            "all-MiniLM-L6-v2-int8",
            Set.of("all-MiniLM-L6-v2-q", "Xenova/all-MiniLM-L6-v2-quantized"),
            "all-minilm-l6-v2-q.onnx",
            "int8");

    /** The model used when none is named. */
    public static final LocalModel DEFAULT = MINILM_L6_V2;

    /** Both variants share all-MiniLM-L6-v2's WordPiece tokenizer (the files are identical). */
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    private final String id;
    private final Set<String> aliases;
    private final String resource;
    private final String precision;

    LocalModel(String id, Set<String> aliases, String resource, String precision) {
        this.id = id;
        this.aliases = aliases;
        this.resource = resource;
        this.precision = precision;
    }

    /** The model id it serves and an index records, e.g. {@code all-MiniLM-L6-v2-int8}. */
    public String id() {
        return id;
    }

    /** Other names accepted for it. */
    public Set<String> aliases() {
        return aliases;
    }

    /** {@code fp32} or {@code int8}. */
    public String precision() {
        return precision;
    }

    String resource() {
        return resource;
    }

    /** Whether {@code name} is this model's id or one of its aliases (case-insensitive). */
    public boolean isNamed(String name) {
        return id.equalsIgnoreCase(name)
                || aliases.stream().anyMatch(a -> a.equalsIgnoreCase(name));
    }

    /** The local model called {@code name} (its id or an alias), if there is one. */
    public static Optional<LocalModel> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String trimmed = name.trim();
        return Arrays.stream(values()).filter(m -> m.isNamed(trimmed)).findFirst();
    }

    /**
     * The local model called {@code name}, or the {@link #DEFAULT} when {@code name} is null.
     *
     * @throws IllegalArgumentException naming the models there are, if {@code name} is none
     */
    public static LocalModel forName(String name) {
        if (name == null) {
            return DEFAULT;
        }
        return named(name)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "the local provider has no model '"
                                                + name
                                                + "'; it runs "
                                                + Arrays.stream(values())
                                                        .map(LocalModel::id)
                                                        .toList()
                                                + " (embedding.model)"));
    }

    @Override
    public String toString() {
        return id;
    }
}
