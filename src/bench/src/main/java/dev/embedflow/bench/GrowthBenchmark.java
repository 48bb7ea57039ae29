package dev.embedflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;

/**
 * Item 5 of the benchmark: does indexing slow down as the index grows? For each size, an index of
 * the job's family is created and pre-filled with that many documents by raw {@code _bulk}
 * (precomputed random unit vectors, a few bulks in flight, no refresh meanwhile), refreshed and
 * left to finish its merges; then EmbedFlow indexes the same fixed batch of new documents into it
 * ({@link Indexing}, the streaming job with the zero-cost embedder) and the index is deleted again.
 * The rows compare the larger index with the smaller.
 */
final class GrowthBenchmark {

    /** EmbedFlow indexing the fixed batch of new documents into the index family {@code base}. */
    @FunctionalInterface
    interface Indexing {
        Indexed into(String base) throws Exception;
    }

    /**
     * What one indexing run did.
     *
     * @param documents new documents it indexed (events read, one document each)
     * @param total documents in the index afterwards
     * @param seconds its wall-clock time
     */
    record Indexed(long documents, long total, double seconds) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int BULK_SIZE = 1_000;
    private static final int BULKS_IN_FLIGHT = 2;
    private static final Duration MERGE_WAIT = Duration.ofSeconds(90);

    private final OpenSearchConnection connection;
    private final URI openSearch;
    private final String model;
    private final int dimensions;
    private final Consumer<String> progress;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();

    /**
     * @param model the model the indexing run embeds with (recorded in the index)
     * @param dimensions its dimension
     */
    GrowthBenchmark(
            OpenSearchConnection connection,
            URI openSearch,
            String model,
            int dimensions,
            Consumer<String> progress) {
        this.connection = connection;
        this.openSearch = openSearch;
        this.model = model;
        this.dimensions = dimensions;
        this.progress = progress;
    }

    /** Rows 5a ({@code small} documents already indexed) and 5b ({@code large}, against 5a). */
    List<BenchmarkTable.Row> run(int small, int large, Indexing indexing) throws Exception {
        if (!(0 < small && small < large)) {
            throw new IllegalArgumentException(
                    "Need 0 < small < large, got " + small + ", " + large);
        }
        BenchmarkTable.Row first = measure("5a", small, Optional.empty(), indexing);
        BenchmarkTable.Row second = measure("5b", large, Optional.of("5a"), indexing);
        return List.of(first, second);
    }

    private BenchmarkTable.Row measure(
            String id, int existing, Optional<String> baseline, Indexing indexing)
            throws Exception {
        String base = "bench-growth-" + existing;
        IndexSpec spec = spec(base);
        progress.accept(
                String.format(
                        Locale.ROOT, "5: pre-filling an index with %,d documents...", existing));
        IndexManager.preflight(connection.config(), spec);
        // No refresh while pre-filling (fewer, larger segments to merge), the default again after.
        refreshInterval(spec.indexName(), "-1");
        long start = System.nanoTime();
        prefill(spec.indexName(), existing);
        double fillSeconds = (System.nanoTime() - start) / 1e9;
        refreshInterval(spec.indexName(), null);
        connection.sendOk("POST", "/" + spec.indexName() + "/_refresh", null);
        MergeWait merges = awaitMerges(spec.indexName());
        progress.accept(
                String.format(
                        Locale.ROOT,
                        "   %,d documents in %.1f s (%.0f docs/s), %s; now EmbedFlow indexes new"
                                + " documents into it...",
                        existing,
                        fillSeconds,
                        existing / fillSeconds,
                        merges.describe()));
        Indexed run = indexing.into(base);
        if (run.total() != existing + run.documents()) {
            throw new IllegalStateException(
                    "Index "
                            + spec.indexName()
                            + " holds "
                            + run.total()
                            + " documents after the run, not "
                            + existing
                            + " pre-filled + "
                            + run.documents()
                            + " new");
        }
        connection.sendOk("DELETE", "/" + spec.indexName(), null);
        return new BenchmarkTable.Row(
                id,
                String.format(
                        Locale.ROOT,
                        "EmbedFlow streaming into an index of %,d docs, zero-cost embedder",
                        existing),
                run.documents(),
                "docs",
                run.seconds(),
                baseline,
                String.format(
                        Locale.ROOT,
                        "new docs, window NONE; pre-filled by raw _bulk at %.0f docs/s, %s",
                        existing / fillSeconds,
                        merges.describe()));
    }

    /** The index the streaming job writes with {@code opensearch.index.base-name=base}. */
    IndexSpec spec(String base) {
        Configuration config = new Configuration();
        config.setString("opensearch.index.base-name", base);
        config.setString("opensearch.index.alias", base);
        config.setString("opensearch.index.replicas", "0");
        return IndexSpec.fromConfiguration(config, model, dimensions);
    }

    /** {@code count} documents with random unit vectors, {@link #BULKS_IN_FLIGHT} bulks at once. */
    private void prefill(String index, int count) throws Exception {
        URI bulk = URI.create(openSearch + "/" + index + "/_bulk");
        Random random = new Random(count);
        Deque<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayDeque<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < count; i++) {
            ObjectNode doc = MAPPER.createObjectNode();
            doc.put(IndexFields.TEXT, "Pre-filled document " + i + " of the growth benchmark.");
            doc.put(IndexFields.ENTITY, "fill-" + (i % 1_000));
            doc.put(IndexFields.MODEL, model);
            ArrayNode vector = doc.putArray(IndexFields.EMBEDDING);
            for (float v : Benchmark.unitVector(random, dimensions)) {
                vector.add(v);
            }
            body.append("{\"index\":{\"_id\":\"fill-").append(i).append("\"}}\n");
            body.append(doc).append('\n');
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

    /** How long the wait for merges took, and whether they were done by then. */
    record MergeWait(double seconds, boolean settled) {
        String describe() {
            return settled
                    ? String.format(Locale.ROOT, "merges settled after %.1f s", seconds)
                    : String.format(Locale.ROOT, "merges still running after %.0f s", seconds);
        }
    }

    /** Waits until the index runs no merge, at most {@link #MERGE_WAIT}. */
    private MergeWait awaitMerges(String index) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + MERGE_WAIT.toNanos();
        while (true) {
            JsonNode stats = connection.sendOk("GET", "/" + index + "/_stats/merge", null);
            double waited = (System.nanoTime() - start) / 1e9;
            if (stats.path("_all").path("primaries").path("merges").path("current").asLong(0)
                    == 0) {
                return new MergeWait(waited, true);
            }
            if (System.nanoTime() >= deadline) {
                return new MergeWait(waited, false);
            }
            Thread.sleep(250);
        }
    }
}
