package dev.embedflow.batch.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.DeadLetterWriter;
import dev.embedflow.deadletter.Origin;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch job's dead-letter output: every dead letter is printed on the console (standard error)
 * with its stage, path and line and reason, and appended as one JSON object to {@code
 * <dir>/dead-letters-<run>-<task>.jsonl} (stage, reason, document_id, origins with path and line,
 * failed_at, and the payload as UTF-8 text or base64). The file is created with the first dead
 * letter.
 */
@Internal
public final class JsonLinesDeadLetterWriter implements DeadLetterWriter {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesDeadLetterWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** File name prefix of a run's dead-letter files. */
    public static String filePrefix(String runId) {
        return "dead-letters-" + runId + "-";
    }

    private final Path file;
    private final PrintStream console;
    private BufferedWriter out;

    public JsonLinesDeadLetterWriter(Path dir, String runId, String task, PrintStream console) {
        this.file = dir.resolve(filePrefix(runId) + task + ".jsonl");
        this.console = console;
    }

    /** A factory for the OpenSearch sink: one file per sink writer. */
    public static Factory factory(String dir, String runId) {
        return () ->
                new JsonLinesDeadLetterWriter(
                        Path.of(dir), runId, "sink-" + UUID.randomUUID(), System.err);
    }

    /** The line printed on the console for {@code deadLetter}. */
    public static String describe(DeadLetter deadLetter) {
        String where =
                deadLetter.origins().isEmpty()
                        ? String.valueOf(deadLetter.documentId())
                        : deadLetter.origins().stream()
                                .map(Origin::toString)
                                .collect(Collectors.joining(", "));
        return "dead letter [" + deadLetter.stage() + "] " + where + ": " + deadLetter.reason();
    }

    @Override
    public void write(DeadLetter deadLetter) throws IOException {
        String line = describe(deadLetter);
        console.println(line);
        LOG.warn(line);
        if (out == null) {
            Files.createDirectories(file.getParent());
            out =
                    Files.newBufferedWriter(
                            file,
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
        }
        out.write(JSON.writeValueAsString(toJson(deadLetter)));
        out.newLine();
    }

    static ObjectNode toJson(DeadLetter deadLetter) {
        ObjectNode node = JSON.createObjectNode();
        node.put("stage", deadLetter.stage().name());
        node.put("reason", deadLetter.reason());
        node.put("document_id", deadLetter.documentId());
        ArrayNode origins = node.putArray("origins");
        for (Origin origin : deadLetter.origins()) {
            ObjectNode o = origins.addObject();
            if (origin.topic() != null) {
                o.put("topic", origin.topic())
                        .put("partition", origin.partition())
                        .put("offset", origin.offset());
            }
            if (origin.path() != null) {
                o.put("path", origin.path());
            }
            if (origin.line() != null) {
                o.put("line", origin.line());
            }
        }
        node.put("failed_at", deadLetter.failedAt().toString());
        byte[] payload = deadLetter.payload();
        if (payload != null) {
            try {
                node.put(
                        "payload",
                        StandardCharsets.UTF_8
                                .newDecoder()
                                .decode(ByteBuffer.wrap(payload))
                                .toString());
            } catch (CharacterCodingException binary) {
                node.put("payload_base64", Base64.getEncoder().encodeToString(payload));
            }
        }
        return node;
    }

    /** The file paths in the origins of a line this writer wrote; none if it is not one. */
    public static List<String> originPaths(String line) {
        try {
            List<String> paths = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode origin :
                    JSON.readTree(line).path("origins")) {
                if (origin.hasNonNull("path")) {
                    paths.add(origin.get("path").asText());
                }
            }
            return paths;
        } catch (IOException notJson) {
            return List.of();
        }
    }

    @Override
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }
}
