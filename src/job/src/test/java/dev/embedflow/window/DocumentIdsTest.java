package dev.embedflow.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.source.Event;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DocumentIdsTest {

    private static final long T = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();

    private static Event event(String entity, String id) {
        return new Event(entity, T, "t", id, "{}", false, "events", 0, 1, T);
    }

    @Test
    void anEntityNamedLikeAChunkIsNotThatChunk() {
        assertThat(DocumentIds.entity("a#0")).isNotEqualTo(DocumentIds.chunk("a", 0));
        assertThat(DocumentIds.entity("a#0")).isEqualTo("a%230");
    }

    @Test
    void anEntityNamedLikeAWindowIsNotThatWindow() {
        assertThat(DocumentIds.entity("a@2026-03-01T10:00:00Z"))
                .isNotEqualTo(DocumentIds.window("a", T));
        assertThat(DocumentIds.window("a@b", T)).isEqualTo("a%40b@2026-03-01T10:00:00Z");
    }

    @Test
    void eventIdsAreEscapedToo() {
        // event id "x#0" of entity a is not chunk 0 of event x of entity a
        assertThat(DocumentIds.event("a", event("a", "x#0")))
                .isNotEqualTo(DocumentIds.chunk(DocumentIds.event("a", event("a", "x")), 0));
    }

    @Test
    void plainIdsAreUnchanged() {
        assertThat(DocumentIds.entity("customer-42")).isEqualTo("customer-42");
        assertThat(DocumentIds.window("customer-42", T))
                .isEqualTo("customer-42@2026-03-01T10:00:00Z");
        assertThat(DocumentIds.event("customer-42", event("customer-42", "e1")))
                .isEqualTo("customer-42@2026-03-01T10:00:00Z#e1");
    }

    @Test
    void noTwoOfTheseTrickyEntitiesShareAnId() {
        List<String> entities =
                List.of(
                        "a", "a#0", "a#1", "a@x", "a%23", "a%230", "a~", "a~b", "%", "%25", "#",
                        "@");
        Set<String> ids = new HashSet<>();
        for (String entity : entities) {
            String id = DocumentIds.entity(entity);
            assertThat(ids.add(id)).as(entity).isTrue();
            assertThat(ids.add(DocumentIds.chunk(id, 0))).as(entity + " chunk 0").isTrue();
            assertThat(ids.add(DocumentIds.window(entity, T))).as(entity + " window").isTrue();
        }
    }

    @Test
    void longIdsStayUnderTheLimitAndApart() {
        String longEntity = "x".repeat(1000);
        String a = DocumentIds.entity(longEntity);
        String b = DocumentIds.entity(longEntity + "y");
        assertThat(a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(DocumentIds.MAX_ID_BYTES);
        assertThat(a).isNotEqualTo(b).contains("~");
    }
}
