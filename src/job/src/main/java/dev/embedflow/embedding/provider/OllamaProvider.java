package dev.embedflow.embedding.provider;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.ProviderKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Ollama: {@code POST {base}/api/embed} with {@code {model, input[], truncate}}, answered with
 * {@code {model, embeddings: [[...]]}}. Errors are {@code {"error": "..."}}; an unknown model is a
 * 404. Ollama truncates by default; EmbedFlow sends {@code truncate: false} unless configured.
 */
@Internal
public final class OllamaProvider extends HttpEmbeddingProvider {

    private final String model;

    public OllamaProvider(EmbeddingConfig config) {
        super(config, config.baseUrl().orElseThrow() + "/api/embed");
        this.model = config.model().orElseThrow();
    }

    @Override
    public ProviderKind kind() {
        return ProviderKind.OLLAMA;
    }

    @Override
    String modelForMessages() {
        return model;
    }

    @Override
    byte[] requestBody(List<String> texts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model", model);
            g.writeArrayFieldStart("input");
            for (String text : texts) {
                g.writeString(text);
            }
            g.writeEndArray();
            g.writeBooleanField("truncate", config.truncate());
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Override
    EmbeddingResponse parse(JsonNode body) {
        JsonNode embeddings = body.get("embeddings");
        if (embeddings == null || !embeddings.isArray()) {
            throw new IllegalArgumentException("no 'embeddings' array");
        }
        List<float[]> vectors = new ArrayList<>(embeddings.size());
        for (JsonNode vector : embeddings) {
            vectors.add(toVector(vector));
        }
        return new EmbeddingResponse(vectors, body.path("model").asText(model));
    }
}
