package dev.embedflow.embedding;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/** The embedding services EmbedFlow can talk to, with each one's documented request limits. */
@PublicEvolving
public enum ProviderKind {
    /**
     * OpenAI's embeddings API ({@code POST {base}/v1/embeddings}), also served by vLLM, LocalAI,
     * llama.cpp server, TEI's OpenAI route and {@code serve-embeddings}. OpenAI accepts at most
     * 2048 inputs per request.
     */
    OPENAI("openai", 2048),
    /**
     * Hugging Face Text Embeddings Inference ({@code POST {base}/embed}); its router's {@code
     * --max-client-batch-size} defaults to 32.
     */
    TEI("tei", 32),
    /** Ollama ({@code POST {base}/api/embed}); no documented limit, 64 keeps requests short. */
    OLLAMA("ollama", 64),
    /** The in-process all-MiniLM-L6-v2 model; 64 texts per call keep its inference lane fair. */
    LOCAL("local", 64);

    private final String id;
    private final int defaultMaxBatchSize;

    ProviderKind(String id, int defaultMaxBatchSize) {
        this.id = id;
        this.defaultMaxBatchSize = defaultMaxBatchSize;
    }

    /** The name used in configuration, e.g. {@code openai}. */
    public String id() {
        return id;
    }

    /** Most texts per request unless configured otherwise. */
    public int defaultMaxBatchSize() {
        return defaultMaxBatchSize;
    }

    /** The kind named {@code id} (case-insensitive). */
    public static ProviderKind fromId(String id) {
        for (ProviderKind kind : values()) {
            if (kind.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "unknown embedding provider '" + id + "'; expected openai, tei, ollama or local");
    }

    @Override
    public String toString() {
        return id;
    }
}
