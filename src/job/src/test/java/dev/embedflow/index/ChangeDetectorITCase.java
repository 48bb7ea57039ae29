package dev.embedflow.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.window.ContextDocument;
import dev.embedflow.window.DocumentIds;
import dev.embedflow.window.EntityDocumentFunction;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The streaming job's comparison with the index, against the real OpenSearch: what the index holds
 * (written a moment ago, not refreshed) decides what is embedded and which chunks are deleted.
 */
@ExtendWith(OpenSearchExtension.class)
class ChangeDetectorITCase {

    private static final String MODEL = "test-model";

    private static IndexSpec spec(OpenSearchTestIndex index) {
        return IndexSpec.builder()
                .baseName(index.name())
                .model(MODEL)
                .dimension(4)
                .replicas(0)
                .build();
    }

    /** Writes what the sink would have written for chunk {@code i} of {@code count}. */
    private static void indexed(
            OpenSearchTestIndex index, String indexName, String parent, int count, String text)
            throws Exception {
        for (int i = 0; i < count; i++) {
            String id = count == 1 ? parent : DocumentIds.chunk(parent, i);
            Map<String, Object> source = new LinkedHashMap<>();
            source.put(IndexFields.TEXT, text + " " + i);
            source.put(
                    IndexFields.CONTENT_HASH,
                    EntityDocumentFunction.chunkHash(text + " " + i, i, count, MODEL));
            source.put(IndexFields.METADATA, Map.of("chunk_count", count));
            index.client().index(r -> r.index(indexName).id(id).document(source));
        }
    }

    /**
     * Chunk {@code i} of {@code count} of document {@code parent}, as the window operator emits.
     */
    private static ContextDocument emitted(
            String parent, int i, int count, String text, boolean compare) {
        ContextDocument document =
                new ContextDocument(
                        count == 1 ? parent : DocumentIds.chunk(parent, i),
                        parent,
                        0,
                        1,
                        1,
                        List.of("t"),
                        List.of("events"),
                        text + " " + i,
                        List.of());
        document.setParentId(parent);
        document.setChunk(i);
        document.setChunkCount(count);
        document.setSequence(7);
        document.setContentHash(EntityDocumentFunction.chunkHash(text + " " + i, i, count, MODEL));
        document.setCompareWithIndex(compare);
        return document;
    }

    private static List<ContextDocument> all(
            String parent, int count, String text, boolean compare) {
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> emitted(parent, i, count, text, compare))
                .toList();
    }

    @Test
    void theIndexDecidesWhatIsEmbeddedAndWhichChunksAreStale(OpenSearchTestIndex index)
            throws Exception {
        IndexSpec spec = spec(index);
        OpenSearchConnectionConfig connection =
                OpenSearchConnectionConfig.builder().host(index.node().httpUri()).build();
        IndexManager.preflight(connection, spec);
        String name = spec.indexName();
        indexed(index, name, "same", 1, "v1"); // indexed as it is now
        indexed(index, name, "shrunk", 3, "v1"); // three chunks then, one now
        indexed(index, name, "grown", 1, "v1"); // one document then, two chunks now
        indexed(index, name, "known", 1, "v1"); // the window operator knows it changed
        // "lost" was emitted before but dead-lettered: the index never got it

        ChangeDetector<ContextDocument> detector =
                new ChangeDetector<>(connection, name, 100, Duration.ofMinutes(1));
        try (OneInputStreamOperatorTestHarness<ContextDocument, ContextDocument> harness =
                new OneInputStreamOperatorTestHarness<>(detector)) {
            harness.open();
            List<ContextDocument> input = new java.util.ArrayList<>();
            input.addAll(all("same", 1, "v1", true));
            input.addAll(all("lost", 1, "v1", true));
            input.addAll(all("shrunk", 1, "v2", true));
            input.addAll(all("grown", 2, "v2", true));
            input.addAll(all("known", 1, "v1", false));
            for (ContextDocument document : input) {
                harness.processElement(new StreamRecord<>(document));
            }
            assertThat(harness.extractOutputValues())
                    .as("only what needs no comparison passes before the lookup")
                    .extracting(ContextDocument::getId)
                    .containsExactly("known");

            // A checkpoint barrier: nothing may stay only in the operator's buffer.
            harness.prepareSnapshotPreBarrier(1);

            assertThat(harness.extractOutputValues())
                    .extracting(ContextDocument::getId)
                    .containsExactly("known", "lost", "shrunk", "grown#0", "grown#1");
            List<String> stale =
                    Objects.requireNonNull(harness.getSideOutput(ChangeDetector.STALE)).stream()
                            .map(r -> r.getValue().id() + "/" + r.getValue().sequence())
                            .collect(Collectors.toList());
            assertThat(stale)
                    .containsExactlyInAnyOrder("shrunk#0/7", "shrunk#1/7", "shrunk#2/7", "grown/7");
        }
    }

    @Test
    void withoutAnIndexNothingIsUnchangedAndNothingStale(OpenSearchTestIndex index)
            throws Exception {
        OpenSearchConnectionConfig connection =
                OpenSearchConnectionConfig.builder().host(index.node().httpUri()).build();
        ChangeDetector<ContextDocument> detector =
                new ChangeDetector<>(connection, index.name() + "-missing", 2, Duration.ZERO);
        try (OneInputStreamOperatorTestHarness<ContextDocument, ContextDocument> harness =
                new OneInputStreamOperatorTestHarness<>(detector)) {
            harness.open();
            // Two fill a lookup.
            harness.processElement(new StreamRecord<>(emitted("a", 0, 1, "v1", true)));
            harness.processElement(new StreamRecord<>(emitted("b", 0, 1, "v1", true)));

            assertThat(harness.extractOutputValues())
                    .extracting(ContextDocument::getId)
                    .containsExactly("a", "b");
            assertThat(harness.getSideOutput(ChangeDetector.STALE)).isNullOrEmpty();
        }
    }
}
