package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.source.EventFormat;
import dev.embedflow.source.EventParser;
import dev.embedflow.window.DocumentIds;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamingBenchmarkTest {

    private static final String EVENT =
            "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/shop\",\"type\":\"order.placed\","
                    + "\"subject\":\"customer-1\",\"time\":\"2026-01-01T00:00:00Z\",\"data\":{}}";

    private static String event(String subject, String id) {
        return EVENT.replace("customer-1", subject).replace("\"e1\"", "\"" + id + "\"");
    }

    @Test
    void rewritesTimesIdsAndSubjects() {
        long time = Instant.parse("2026-03-01T10:00:00.250Z").toEpochMilli();
        String rewritten = StreamingBenchmark.withTime(EVENT, time, "x-7");

        assertThat(StreamingBenchmark.eventTime(rewritten)).isEqualTo(time);
        assertThat(rewritten).contains("\"id\":\"x-7\"").contains("\"subject\":\"customer-1\"");
        assertThat(StreamingBenchmark.withTimeAndSubject(EVENT, time, "bench-flush", "f"))
                .contains("\"subject\":\"bench-flush\"")
                .contains("\"id\":\"f\"");
        assertThat(StreamingBenchmark.withTime(EVENT, time, null)).contains("\"id\":\"e1\"");
    }

    @Test
    void tumblingTimesAreSpacedFromTheBaseAndWindowsCountEntityAndWindowStart() {
        long base = 1_000_000_000_000L; // a multiple of 2000 ms
        List<String> events =
                StreamingBenchmark.tumblingTimes(
                        List.of(
                                event("a", "1"),
                                event("b", "2"),
                                event("a", "3"),
                                event("a", "4"),
                                event("b", "5")),
                        base,
                        700);

        assertThat(events)
                .extracting(StreamingBenchmark::eventTime)
                .containsExactly(base, base + 700, base + 1400, base + 2100, base + 2800);
        // a: 0 and 1400 in the first window, 2100 in the second; b: 700 first, 2800 second
        assertThat(StreamingBenchmark.windows(events, 2_000))
                .containsExactlyInAnyOrder(
                        DocumentIds.window("a", base),
                        DocumentIds.window("a", base + 2_000),
                        DocumentIds.window("b", base),
                        DocumentIds.window("b", base + 2_000));
    }

    @Test
    void theDocumentOfAnEventIsPerEventForNoneAndPerWindowForTumbling() {
        EventParser parser = new EventParser(EventFormat.cloudEvents());
        long time = Instant.parse("2026-03-01T10:00:03.500Z").toEpochMilli();
        String event = StreamingBenchmark.withTime(EVENT, time, "e9");

        assertThat(StreamingBenchmark.documentId(parser, event, StreamingBenchmark.Window.NONE))
                .isEqualTo("customer-1@2026-03-01T10:00:03.500Z#e9");
        assertThat(StreamingBenchmark.documentId(parser, event, StreamingBenchmark.Window.TUMBLING))
                .isEqualTo(
                        DocumentIds.window(
                                "customer-1",
                                Instant.parse("2026-03-01T10:00:02Z").toEpochMilli()));
    }

    @Test
    void windowsMakeOneDocumentEachOrAsManyAsTheirFirstChunkSaysOnceEachHasOne() throws Exception {
        Set<String> windows = Set.of("a@1", "b@1", "c@1");
        ObjectMapper json = new ObjectMapper();
        String unsplit = "{\"_id\":\"%s\",\"found\":%s,\"_source\":{\"metadata\":{}}}";
        String chunk =
                "{\"_id\":\"%s\",\"found\":%s,"
                        + "\"_source\":{\"metadata\":{\"chunk_count\":%d}}}";
        // a fit the model; b was split in 3 (its chunk 0 holds the count); c not written yet
        String partial =
                "{\"docs\":["
                        + String.join(
                                ",",
                                String.format(unsplit, "a@1", true),
                                String.format(chunk, "a@1#0", false, 0),
                                String.format(unsplit, "b@1", false),
                                String.format(chunk, "b@1#0", true, 3),
                                String.format(unsplit, "c@1", false),
                                String.format(chunk, "c@1#0", false, 0))
                        + "]}";

        assertThat(StreamingBenchmark.windowDocuments(windows, json.readTree(partial))).isEmpty();
        assertThat(
                        StreamingBenchmark.windowDocuments(
                                windows,
                                json.readTree(
                                        partial.replace(
                                                String.format(unsplit, "c@1", false),
                                                String.format(unsplit, "c@1", true)))))
                .hasValue(1 + 3 + 1);
    }

    @Test
    void ratesRequestsPerTextAndTextsEmbeddedAgain() {
        StreamingBenchmark.Result result =
                new StreamingBenchmark.Result(
                        2_048, 2_048, 4.0, 9, 2_644, new Latencies(List.of(1L)), 10, List.of(), "");

        assertThat(result.eventsPerSecond()).isEqualTo(512.0);
        assertThat(result.documentsPerSecond()).isEqualTo(512.0);
        assertThat(result.requestsPerText()).isEqualTo(9.0 / 2_644);
        assertThat(result.textsAgain()).isEqualTo(596);
        assertThat(
                        new StreamingBenchmark.Result(
                                        100,
                                        20,
                                        1.0,
                                        1,
                                        20,
                                        new Latencies(List.of()),
                                        1,
                                        List.of(),
                                        "")
                                .textsAgain())
                .isZero();
    }
}
