package dev.embedflow.batch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.batch.source.InputPaths.InputFile;
import dev.embedflow.opensearch.JsonResponse;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * Which input files a batch run indexed completely, kept in OpenSearch beside the index so that a
 * re-run skips files that did not change (same size and modification time) without reading them.
 * One document per (index, file) in the manifest index: the written index's {@code index.uuid} (a
 * deleted and recreated index starts afresh, and so does the new index of a model change), the
 * path, size, modification time and run. A file is recorded only after a run finished without a
 * dead letter from it.
 */
@Internal
public final class FileManifest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 1000;

    private final OpenSearchConnection connection;
    private final String manifestIndex;
    private final String indexUuid;

    private FileManifest(OpenSearchConnection connection, String manifestIndex, String uuid) {
        this.connection = connection;
        this.manifestIndex = manifestIndex;
        this.indexUuid = uuid;
    }

    /** The manifest of the concrete index {@code index} (which must exist). */
    public static FileManifest of(
            OpenSearchConnection connection, String manifestIndex, String index) {
        JsonNode settings = connection.sendOk("GET", "/" + index + "/_settings", null);
        String uuid = null;
        for (JsonNode indexSettings : settings) {
            uuid = indexSettings.path("settings").path("index").path("uuid").asText(null);
        }
        if (uuid == null) {
            throw new IllegalStateException("no index.uuid in the settings of " + index);
        }
        return new FileManifest(connection, manifestIndex, uuid);
    }

    /** The files of {@code files} recorded with the same size and modification time. */
    public Set<String> unchanged(List<InputFile> files) {
        Set<String> unchanged = new HashSet<>();
        for (int from = 0; from < files.size(); from += BATCH) {
            List<InputFile> batch = files.subList(from, Math.min(files.size(), from + BATCH));
            Map<String, InputFile> byId = new HashMap<>();
            ObjectNode body = JSON.createObjectNode();
            ArrayNode ids = body.putArray("ids");
            for (InputFile file : batch) {
                String id = id(file.path());
                byId.put(id, file);
                ids.add(id);
            }
            JsonResponse response = connection.send("POST", "/" + manifestIndex + "/_mget", body);
            if (response.status() == 404) {
                return Set.of(); // no manifest yet
            }
            if (!response.ok()) {
                throw response.failure("Reading the file manifest " + manifestIndex);
            }
            for (JsonNode doc : response.body().path("docs")) {
                InputFile file = byId.get(doc.path("_id").asText());
                JsonNode source = doc.path("_source");
                if (file != null
                        && doc.path("found").asBoolean(false)
                        && source.path("size").asLong(-1) == file.size()
                        && source.path("modified").asLong(-1) == file.modified()) {
                    unchanged.add(file.path());
                }
            }
        }
        return unchanged;
    }

    /** Records {@code files} as indexed by run {@code runId}. */
    public void record(Collection<InputFile> files, String runId) {
        ByteArrayOutputStream bulk = new ByteArrayOutputStream();
        int lines = 0;
        String now = Instant.now().toString();
        for (InputFile file : files) {
            ObjectNode action = JSON.createObjectNode();
            action.putObject("index").put("_index", manifestIndex).put("_id", id(file.path()));
            ObjectNode doc = JSON.createObjectNode();
            doc.put("index_uuid", indexUuid)
                    .put("path", file.path())
                    .put("size", file.size())
                    .put("modified", file.modified())
                    .put("run", runId)
                    .put("recorded_at", now);
            write(bulk, action);
            write(bulk, doc);
            if (++lines == BATCH) {
                flush(bulk);
                lines = 0;
            }
        }
        if (lines > 0) {
            flush(bulk);
        }
    }

    private void flush(ByteArrayOutputStream bulk) {
        JsonNode response = connection.sendOk("POST", "/_bulk", bulk.toByteArray());
        bulk.reset();
        if (response.path("errors").asBoolean(false)) {
            for (JsonNode item : response.path("items")) {
                JsonNode error = item.path("index").path("error");
                if (!error.isMissingNode()) {
                    throw new IllegalStateException(
                            "Could not record a file in " + manifestIndex + ": " + error);
                }
            }
        }
    }

    private static void write(ByteArrayOutputStream out, ObjectNode node) {
        out.writeBytes(node.toString().getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    /** The manifest document of {@code path} in this index: a digest, as paths may be long. */
    private String id(String path) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(indexUuid.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(path.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
