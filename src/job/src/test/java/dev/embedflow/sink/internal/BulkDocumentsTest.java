package dev.embedflow.sink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.sink.IndexAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BulkDocumentsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    private static List<String> lines(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        return List.of(text.substring(0, text.length() - 1).split("\n", -1));
    }

    @Test
    void anUpsertIsAnIndexLineAndItsSourceStreamedAsTheTreeWouldHaveIt() throws Exception {
        float[] vector = {0.1f, -0.25f, 1.0E-7f, 0.33333334f};
        IndexAction.Upsert upsert =
                IndexAction.upsert("a#1")
                        .entity("a")
                        .window(NOW, NOW.plusSeconds(60))
                        .text("line one\nline \"two\"")
                        .vector(vector)
                        .model("m")
                        .contentHash("h")
                        .metadata(Map.of("event_types", List.of("x", "y"), "chunk", 1))
                        .version(42)
                        .build();

        List<String> lines = lines(BulkDocuments.bulkLines("idx", upsert, NOW));

        assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{"));
        assertThat(JSON.readTree(lines.get(0)))
                .isEqualTo(
                        JSON.readTree(
                                "{\"index\":{\"_index\":\"idx\",\"_id\":\"a#1\",\"version\":42,"
                                        + "\"version_type\":\"external\"}}"));
        JsonNode source = JSON.readTree(lines.get(1));
        // The same document as the tree (both read back from text: numbers as parsed).
        assertThat(source)
                .isEqualTo(
                        JSON.readTree(
                                JSON.writeValueAsBytes(BulkDocuments.source(upsert, NOW, true))));
        for (int i = 0; i < vector.length; i++) {
            assertThat(source.path("embedding").get(i).floatValue()).isEqualTo(vector[i]);
        }
    }

    @Test
    void aDeleteIsOneLineAndAnUnversionedActionHasNoVersion() throws Exception {
        List<String> lines =
                lines(BulkDocuments.bulkLines("idx", IndexAction.delete("d", List.of(), 0), NOW));
        assertThat(lines).hasSize(1);
        assertThat(JSON.readTree(lines.get(0)))
                .isEqualTo(JSON.readTree("{\"delete\":{\"_index\":\"idx\",\"_id\":\"d\"}}"));
    }
}
