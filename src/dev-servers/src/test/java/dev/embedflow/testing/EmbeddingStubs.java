package dev.embedflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic vectors and OpenAI-shaped answers for the stand-in servers. */
public final class EmbeddingStubs {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EmbeddingStubs() {}

    /** A unit vector derived from {@code text} alone: the same text always gets the same one. */
    public static float[] vectorFor(String text, int dimensions) {
        SplittableRandom random = new SplittableRandom(text.hashCode());
        float[] v = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            v[i] *= scale;
        }
        return v;
    }

    /** The texts of an OpenAI {@code input} or a TEI {@code inputs} array. */
    public static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(t -> texts.add(t.asText()));
        return texts;
    }

    /** An OpenAI embeddings response with {@link #vectorFor} vectors. */
    public static String openAiResponse(List<String> texts, String model, int dimensions) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            ArrayNode embedding = item.putArray("embedding");
            for (float f : vectorFor(texts.get(i), dimensions)) {
                embedding.add(f);
            }
        }
        root.put("model", model);
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", texts.size());
        usage.put("total_tokens", texts.size());
        return root.toString();
    }

    /** OpenAI's error body. */
    public static String openAiError(String message, String type, String code) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("code", code);
        error.putNull("param");
        return root.toString();
    }

    /** An array of arrays of numbers (TEI's answer, Ollama's {@code embeddings}). */
    public static ArrayNode vectors(List<String> texts, int dimensions) {
        ArrayNode out = MAPPER.createArrayNode();
        for (String text : texts) {
            ArrayNode v = out.addArray();
            for (float f : vectorFor(text, dimensions)) {
                v.add(f);
            }
        }
        return out;
    }
}
