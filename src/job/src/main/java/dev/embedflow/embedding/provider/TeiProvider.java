package dev.embedflow.embedding.provider;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.ModelInfo;
import dev.embedflow.embedding.ProviderKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.annotation.Internal;

/**
 * Hugging Face Text Embeddings Inference: {@code POST {base}/embed} with {@code {inputs[],
 * normalize: true, truncate}}, answered with {@code [[...], ...]}. Errors are {@code {error,
 * error_type}}: 413 batch too large, 422 tokenization, 424 backend, 429 overloaded. TEI serves one
 * model; {@code GET /info} names it.
 */
@Internal
public final class TeiProvider extends HttpEmbeddingProvider {

    public TeiProvider(EmbeddingConfig config) {
        super(config, config.baseUrl().orElseThrow() + "/embed");
    }

    @Override
    public ProviderKind kind() {
        return ProviderKind.TEI;
    }

    @Override
    String modelForMessages() {
        return config.model().orElse("served by TEI");
    }

    @Override
    byte[] requestBody(List<String> texts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("inputs");
            for (String text : texts) {
                g.writeString(text);
            }
            g.writeEndArray();
            g.writeBooleanField("normalize", true);
            g.writeBooleanField("truncate", config.truncate());
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Override
    EmbeddingResponse parse(JsonNode body) {
        if (!body.isArray()) {
            throw new IllegalArgumentException("not an array of embeddings");
        }
        List<float[]> vectors = new ArrayList<>(body.size());
        for (JsonNode vector : body) {
            vectors.add(toVector(vector));
        }
        return new EmbeddingResponse(vectors, modelForMessages());
    }

    /** Reads the model id from {@code GET /info}, then embeds one text for the dimension. */
    @Override
    public CompletableFuture<ModelInfo> probe() {
        return getJson("/info")
                .thenCompose(
                        info ->
                                embed(List.of("EmbedFlow start-up probe"))
                                        .thenApply(
                                                r ->
                                                        new ModelInfo(
                                                                kind(),
                                                                info.path("model_id")
                                                                        .asText(modelForMessages()),
                                                                r.vectors().get(0).length)));
    }
}
