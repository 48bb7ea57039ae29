package dev.embedflow.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.util.HashMap;
import java.util.Map;

/** Every document of an index, read page by page: id to text and vector. */
final class IndexContents {

    /** One indexed document. */
    record Document(String text, float[] vector) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 2_000;

    private IndexContents() {}

    /** Refreshes {@code index} (an index or alias) and reads all its documents. */
    static Map<String, Document> read(OpenSearchConnection connection, String index) {
        connection.sendOk("POST", "/" + index + "/_refresh", null);
        Map<String, Document> documents = new HashMap<>();
        JsonNode after = null;
        while (true) {
            ObjectNode search = JSON.createObjectNode();
            search.put("size", PAGE);
            search.putArray("_source").add(IndexFields.TEXT).add(IndexFields.EMBEDDING);
            search.putArray("sort").addObject().put(IndexFields.ENTITY, "asc");
            search.putObject("query").putObject("match_all");
            if (after != null) {
                search.set("search_after", after);
            }
            JsonNode hits =
                    connection.sendOk("POST", "/" + index + "/_search", search).path("hits");
            if (hits.path("hits").isEmpty()) {
                return documents;
            }
            for (JsonNode hit : hits.path("hits")) {
                JsonNode source = hit.path("_source");
                JsonNode vector = source.path(IndexFields.EMBEDDING);
                float[] v = new float[vector.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) vector.get(i).asDouble();
                }
                documents.put(
                        hit.path("_id").asText(),
                        new Document(source.path(IndexFields.TEXT).asText(), v));
                after = hit.path("sort");
            }
        }
    }
}
