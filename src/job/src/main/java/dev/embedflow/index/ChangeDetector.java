package dev.embedflow.batch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.batch.BatchCounters;
import dev.embedflow.batch.Chunk;
import dev.embedflow.index.IndexFields;
import dev.embedflow.opensearch.JsonResponse;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Compares chunks with what the index holds, {@code batchSize} ids per request (one {@code _mget}
 * asking only for {@code content_hash} and {@code metadata.chunk_count}): a chunk whose hash is
 * already indexed is dropped (counted as unchanged: no embedding call, no write); the others go on
 * to be embedded. For chunk 0 of each document it also reads how many chunks the indexed version
 * had: ids from the new count up to the old one are emitted to {@link #STALE} for deletion.
 */
@Internal
public final class ChangeDetector extends AbstractStreamOperator<Chunk>
        implements OneInputStreamOperator<Chunk, Chunk>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Ids of chunks left from a longer, older version of a document. */
    public static final OutputTag<String> STALE = new OutputTag<>("stale-chunks", Types.STRING);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHUNK_COUNT = IndexFields.METADATA + ".chunk_count";

    private final OpenSearchConnectionConfig connectionConfig;
    private final String index;
    private final int batchSize;

    private transient OpenSearchConnection connection;
    private transient List<Chunk> pending;
    private transient LongCounter unchanged;
    private transient LongCounter deleted;

    public ChangeDetector(OpenSearchConnectionConfig connection, String index, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
        this.connectionConfig = connection;
        this.index = index;
        this.batchSize = batchSize;
    }

    @Override
    public void open() throws Exception {
        super.open();
        connection = OpenSearchConnection.open(connectionConfig);
        pending = new ArrayList<>(batchSize);
        unchanged = new LongCounter();
        deleted = new LongCounter();
        getRuntimeContext().addAccumulator(BatchCounters.UNCHANGED, unchanged);
        getRuntimeContext().addAccumulator(BatchCounters.DELETED, deleted);
    }

    @Override
    public void processElement(StreamRecord<Chunk> element) {
        pending.add(element.getValue());
        if (pending.size() >= batchSize) {
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
        Map<String, Indexed> indexed = indexed(pending);
        for (Chunk chunk : pending) {
            Indexed found = indexed.get(chunk.id());
            if (found != null && chunk.contentHash().equals(found.contentHash())) {
                unchanged.add(1);
            } else {
                output.collect(new StreamRecord<>(chunk));
            }
            if (chunk.index() == 0 && found != null && found.chunkCount() != null) {
                for (int stale = chunk.count(); stale < found.chunkCount(); stale++) {
                    deleted.add(1);
                    output.collect(STALE, new StreamRecord<>(Chunk.id(chunk.parentId(), stale)));
                }
            }
        }
        pending.clear();
    }

    private Map<String, Indexed> indexed(List<Chunk> chunks) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode ids = body.putArray("ids");
        chunks.forEach(c -> ids.add(c.id()));
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
            throw response.failure("Looking up " + chunks.size() + " chunk ids in " + index);
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
