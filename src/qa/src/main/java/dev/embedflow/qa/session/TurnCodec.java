package dev.embedflow.qa.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A turn as JSON: how Redis stores it and how {@code GET /v1/sessions/{id}} shows it. */
public final class TurnCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TurnCodec() {}

    public static ObjectNode toJson(Turn turn) {
        ObjectNode node = JSON.createObjectNode();
        node.put("question", turn.question());
        node.put("query", turn.query());
        node.put("answer", turn.answer());
        turn.citedIds().forEach(node.putArray("cited_ids")::add);
        turn.citedEntities().forEach(node.putArray("cited_entities")::add);
        node.put("at", turn.at().toString());
        return node;
    }

    public static String encode(Turn turn) {
        return toJson(turn).toString();
    }

    public static Turn decode(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new Turn(
                    node.path("question").asText(),
                    node.path("query").asText(),
                    node.path("answer").asText(),
                    strings(node.path("cited_ids")),
                    strings(node.path("cited_entities")),
                    Instant.parse(node.path("at").asText()));
        } catch (IOException | RuntimeException e) {
            throw new SessionStoreException("a stored turn is not readable", e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
