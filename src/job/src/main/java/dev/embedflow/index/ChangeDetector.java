package dev.embedflow.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.opensearch.JsonResponse;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Compares chunks with what the index holds, so that the index, not the job's state, says what was
 * indexed: up to {@code batchSize} chunks per {@code _mget} (asking only for {@code content_hash}
 * and {@code metadata.chunk_count}; realtime, so no refresh is needed). A chunk whose hash is
 * already indexed under its id is dropped (counted as unchanged: no embedding call, no write); the
 * others go on to be embedded. For chunk 0 it also reads how many chunks the indexed version of the
 * document had: ids the new version no longer has go to {@link #STALE} for deletion.
 *
 * <p>Chunks that need no comparison ({@link IndexedChunk#lookUp()} false) pass at once. The others
 * wait until {@code batchSize} are buffered, {@code linger} has passed (processing time), a
 * checkpoint barrier comes (they are sent on before it, so none is only in this operator's memory),
 * or the input ends. The lookup blocks the task thread for one {@code _mget}; if OpenSearch cannot
 * answer it, the job fails and restarts from its last checkpoint, as the sink would.
 */
@Internal
public final class ChangeDetector<T extends IndexedChunk> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Chunks left from a longer, older version of a document. */
    public static final OutputTag<StaleChunk> STALE =
            new OutputTag<>("stale-chunks", TypeInformation.of(StaleChunk.class));

    /** Accumulator: chunks found unchanged in the index. */
    public static final String UNCHANGED = "embedflow.unchanged";

    /** Accumulator: stale chunk ids sent for deletion. */
    public static final String DELETED = "embedflow.deleted";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHUNK_COUNT = IndexFields.METADATA + ".chunk_count";

    private final OpenSearchConnectionConfig connectionConfig;
    private final String index;
    private final int batchSize;
    private final long lingerMillis;

    private transient OpenSearchConnection connection;
    private transient List<T> pending;
    private transient boolean timerSet;
    private transient LongCounter unchanged;
    private transient LongCounter deleted;
    private transient Counter unchangedMetric;
    private transient Counter staleMetric;
    private transient Counter lookupsMetric;

    /**
     * @param connection where the index is
     * @param index the index (or alias) to compare with
     * @param batchSize most chunks per lookup
     * @param linger longest a chunk waits for others to share its lookup
     */
    public ChangeDetector(
            OpenSearchConnectionConfig connection, String index, int batchSize, Duration linger) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
        this.connectionConfig = connection;
        this.index = index;
        this.batchSize = batchSize;
        this.lingerMillis = Math.max(0, linger.toMillis());
    }

    @Override
    public void open() throws Exception {
        super.open();
        connection = OpenSearchConnection.open(connectionConfig);
        pending = new ArrayList<>(batchSize);
        unchanged = new LongCounter();
        deleted = new LongCounter();
        getRuntimeContext().addAccumulator(UNCHANGED, unchanged);
        getRuntimeContext().addAccumulator(DELETED, deleted);
        var metrics = getMetricGroup();
        unchangedMetric = metrics.counter("chunksUnchanged");
        staleMetric = metrics.counter("staleChunksDeleted");
        lookupsMetric = metrics.counter("indexLookups");
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        T chunk = element.getValue();
        if (!chunk.lookUp()) {
            output.collect(new StreamRecord<>(chunk));
            return;
        }
        pending.add(chunk);
        if (pending.size() >= batchSize) {
            lookUp();
        } else if (!timerSet) {
            timerSet = true;
            var time = getProcessingTimeService();
            time.registerTimer(
                    time.getCurrentProcessingTime() + lingerMillis,
                    timestamp -> {
                        timerSet = false;
                        if (!pending.isEmpty()) {
                            lookUp();
                        }
                    });
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (!pending.isEmpty()) {
            lookUp();
        }
    }

    @Override
    public void endInput() {
        if (!pending.isEmpty()) {
            lookUp();
        }
    }

    private record Indexed(String contentHash, Integer chunkCount) {}

    private void lookUp() {
        Set<String> ids = new LinkedHashSet<>();
        for (T chunk : pending) {
            ids.add(chunk.chunkId());
            if (chunk.chunkIndex() == 0) {
                // Whichever shape the indexed version had: unsplit, or split into chunks.
                ids.add(chunk.chunkId(0, 1));
                ids.add(chunk.chunkId(0, 2));
            }
        }
        Map<String, Indexed> indexed = indexed(ids);
        for (T chunk : pending) {
            Indexed found = indexed.get(chunk.chunkId());
            if (found != null && chunk.contentHash().equals(found.contentHash())) {
                unchanged.add(1);
                unchangedMetric.inc();
            } else {
                output.collect(new StreamRecord<>(chunk));
            }
            if (chunk.chunkIndex() == 0) {
                staleChunks(chunk, indexed);
            }
        }
        pending.clear();
    }

    /** Ids of the indexed version of {@code first}'s document that the new version lacks. */
    private void staleChunks(T first, Map<String, Indexed> indexed) {
        Set<String> old = new LinkedHashSet<>();
        if (indexed.containsKey(first.chunkId(0, 1))) {
            old.add(first.chunkId(0, 1));
        }
        Indexed split = indexed.get(first.chunkId(0, 2));
        if (split != null) {
            int count = split.chunkCount() == null ? 2 : split.chunkCount();
            for (int i = 0; i < count; i++) {
                old.add(first.chunkId(i, Math.max(2, count)));
            }
        }
        for (int i = 0; i < first.chunkCount(); i++) {
            old.remove(first.chunkId(i, first.chunkCount()));
        }
        for (String id : old) {
            deleted.add(1);
            staleMetric.inc();
            output.collect(
                    STALE,
                    new StreamRecord<>(new StaleChunk(id, first.entity(), first.sequence())));
        }
    }

    private Map<String, Indexed> indexed(Set<String> wanted) {
        lookupsMetric.inc();
        ObjectNode body = JSON.createObjectNode();
        ArrayNode ids = body.putArray("ids");
        wanted.forEach(ids::add);
        JsonResponse response =
                connection.send(
                        "POST",
                        "/" + index + "/_mget",
                        Map.of("_source", IndexFields.CONTENT_HASH + "," + CHUNK_COUNT),
                        body);
        if (response.status() == 404) {
            return Map.of(); // no index yet: nothing is indexed
        }
        if (!response.ok()) {
            throw response.failure("Looking up " + wanted.size() + " chunk ids in " + index);
        }
        Map<String, Indexed> found = new HashMap<>();
        for (JsonNode doc : response.body().path("docs")) {
            if (doc.path("found").asBoolean(false)) {
                JsonNode source = doc.path("_source");
                JsonNode count = source.path(IndexFields.METADATA).path("chunk_count");
                found.put(
                        doc.path("_id").asText(),
                        new Indexed(
                                source.path(IndexFields.CONTENT_HASH).asText(null),
                                count.canConvertToInt() ? count.asInt() : null));
            }
        }
        return found;
    }

    @Override
    public void close() throws Exception {
        try {
            if (connection != null) {
                connection.close();
            }
        } finally {
            super.close();
        }
    }
}
