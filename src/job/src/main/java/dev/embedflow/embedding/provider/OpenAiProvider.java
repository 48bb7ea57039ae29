package dev.embedflow.embedding.provider;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.ProviderKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * OpenAI's embeddings API: {@code POST {base}/v1/embeddings} with {@code {model, input[],
 * encoding_format: "float", dimensions?}}, answered with {@code {data: [{index, embedding}],
 * model}}. A base URL that already ends in {@code /v1} is used as is. The API key, if configured,
 * goes in {@code Authorization: Bearer}.
 */
@Internal
public final class OpenAiProvider extends HttpEmbeddingProvider {

    private final String model;

    public OpenAiProvider(EmbeddingConfig config) {
        super(config, endpoint(config));
        this.model = config.model().orElseThrow();
    }

    private static String endpoint(EmbeddingConfig config) {
        String base = config.baseUrl().orElseThrow().toString();
        return base.endsWith("/v1") ? base + "/embeddings" : base + "/v1/embeddings";
    }

    @Override
    public ProviderKind kind() {
        return ProviderKind.OPENAI;
    }

    @Override
    String modelForMessages() {
        return model;
    }

    @Override
    boolean usesApiKey() {
        return true;
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
            g.writeStringField("encoding_format", "float");
            if (config.dimensions().isPresent()) {
                g.writeNumberField("dimensions", config.dimensions().get());
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Override
    EmbeddingResponse parse(JsonNode body) {
        JsonNode data = body.get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException("no 'data' array");
        }
        float[][] byIndex = new float[data.size()][];
        for (JsonNode item : data) {
            int index = item.path("index").asInt(-1);
            if (index < 0 || index >= byIndex.length || byIndex[index] != null) {
                throw new IllegalArgumentException("bad or repeated index " + item.get("index"));
            }
            byIndex[index] = toVector(item.get("embedding"));
        }
        String served = body.path("model").asText(model);
        return new EmbeddingResponse(new ArrayList<>(Arrays.asList(byIndex)), served);
    }
}
