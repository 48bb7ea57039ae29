package dev.embedflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.opensearch.JsonResponse;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills an index of the job's family with many precomputed documents fast, by raw {@code _bulk} (a
 * few bulks in flight, no refresh meanwhile), for the benchmarks that need a large index: growth
 * (5) and search (6).
 */
final class IndexFill {

    private static final Logger LOG = LoggerFactory.getLogger(IndexFill.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int BULK_SIZE = 1_000;
    private static final int BULKS_IN_FLIGHT = 2;
    private static final Duration MERGE_WAIT = Duration.ofSeconds(90);

    private final OpenSearchConnection connection;
    private final URI openSearch;
    private final String model;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();

    IndexFill(OpenSearchConnection connection, URI openSearch, String model) {
        this.connection = connection;
        this.openSearch = openSearch;
        this.model = model;
    }

    /** The index the streaming job writes with {@code opensearch.index.base-name=base}. */
    static IndexSpec spec(String base, String model, int dimensions) {
        Configuration config = new Configuration();
        config.setString("opensearch.index.base-name", base);
        config.setString("opensearch.index.alias", base);
        config.setString("opensearch.index.replicas", "0");
        return IndexSpec.fromConfiguration(config, model, dimensions);
    }

    /**
     * Creates (or checks) {@code spec}'s index and writes {@code count} documents whose vectors
     * {@code vectors} gives by number, without refreshes meanwhile; then refreshes and waits for
     * the merges.
     */
    Filled fill(IndexSpec spec, int count, IntFunction<float[]> vectors) throws Exception {
        return fillWith(
                spec,
                count,
                i ->
                        new Doc(
                                "fill-" + i,
                                source(
                                        "Pre-filled document " + i + " of the benchmark.",
                                        "fill-" + (i % 1_000),
                                        vectors.apply(i))));
    }

    /** One document to write: its id and its {@code _source}. */
    record Doc(String id, ObjectNode source) {}

    /** A document's {@code _source}: text, entity, this filler's model and the vector. */
    ObjectNode source(String text, String entity, float[] vector) {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put(IndexFields.TEXT, text);
        doc.put(IndexFields.ENTITY, entity);
        doc.put(IndexFields.MODEL, model);
        ArrayNode array = doc.putArray(IndexFields.EMBEDDING);
        for (float v : vector) {
            array.add(v);
        }
        return doc;
    }

    /** As {@link #fill}, with the documents {@code docs} gives by number. */
    Filled fillWith(IndexSpec spec, int count, IntFunction<Doc> docs) throws Exception {
        // The previous measurement deleted a large index whose merges may still run: let the
        // cluster work off its pending tasks first, or creating the next index times out (503).
        JsonResponse health =
                connection.send(
                        "GET",
                        "/_cluster/health",
                        Map.of(
                                "wait_for_events", "languid",
                                "wait_for_status", "yellow",
                                "timeout", "50s"),
                        null);
        if (!health.ok()) {
            LOG.warn(
                    "The cluster has not settled within 50 s (HTTP {}); filling {} anyway",
                    health.status(),
                    spec.indexName());
        }
        IndexManager.preflight(connection.config(), spec);
        // No refresh while filling (fewer, larger segments to merge), the default again after.
        refreshInterval(spec.indexName(), "-1");
        long start = System.nanoTime();
        prefill(spec.indexName(), count, docs);
        double seconds = (System.nanoTime() - start) / 1e9;
        refreshInterval(spec.indexName(), null);
        connection.sendOk("POST", "/" + spec.indexName() + "/_refresh", null);
        return new Filled(seconds, awaitMerges());
    }

    /** How long writing took, and the wait for merges after it. */
    record Filled(double seconds, Merges.Wait merges) {}

    /** {@code count} documents, {@link #BULKS_IN_FLIGHT} bulks at once. */
    private void prefill(String index, int count, IntFunction<Doc> docs) throws Exception {
        URI bulk = URI.create(openSearch + "/" + index + "/_bulk");
        Deque<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayDeque<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Doc doc = docs.apply(i);
            ObjectNode action = MAPPER.createObjectNode();
            action.putObject("index").put("_id", doc.id());
            body.append(action).append('\n').append(doc.source()).append('\n');
            if ((i + 1) % BULK_SIZE == 0 || i + 1 == count) {
                if (inFlight.size() == BULKS_IN_FLIGHT) {
                    check(inFlight.removeFirst().get());
                }
                inFlight.addLast(
                        http.sendAsync(
                                HttpRequest.newBuilder(bulk)
                                        .header("Content-Type", "application/x-ndjson")
                                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()));
                body.setLength(0);
            }
        }
        for (CompletableFuture<HttpResponse<String>> response : inFlight) {
            check(response.get());
        }
    }

    private static void check(HttpResponse<String> response) throws Exception {
        if (response.statusCode() / 100 != 2
                || MAPPER.readTree(response.body()).path("errors").asBoolean(true)) {
            throw new IllegalStateException(
                    "A pre-fill bulk failed ("
                            + response.statusCode()
                            + "): "
                            + response.body()
                                    .substring(0, Math.min(500, response.body().length())));
        }
    }

    private void refreshInterval(String index, String interval) {
        ObjectNode settings = MAPPER.createObjectNode();
        settings.putObject("index").put("refresh_interval", interval);
        connection.sendOk("PUT", "/" + index + "/_settings", settings);
    }

    /** Waits until OpenSearch runs no merge, at most {@link #MERGE_WAIT}. */
    Merges.Wait awaitMerges() throws InterruptedException {
        return Merges.awaitNone(connection, MERGE_WAIT);
    }
}
