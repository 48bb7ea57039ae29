package dev.embedflow.bench;

import dev.embedflow.index.IndexFields;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;

/**
 * Row 1b: OpenSearch bulk ingestion of the benchmark's documents with precomputed vectors through
 * opensearch-java, tuned: a sweep of bulk sizes and requests in flight on a slice of the documents
 * picks the fastest setting, which then indexes all documents into a fresh lucene k-NN index.
 */
final class BulkBaseline {

    /** One bulk setting: documents per request, requests in flight. */
    record Setting(int bulkSize, int inFlight) {
        @Override
        public String toString() {
            return bulkSize + "/bulk, " + inFlight + " in flight";
        }
    }

    /** A measured setting. */
    record Trial(Setting setting, int documents, double seconds) {
        double rate() {
            return documents / seconds;
        }
    }

    static final int[] BULK_SIZES = {250, 500, 1000, 2000};
    static final int[] IN_FLIGHT = {1, 2, 4};

    private final OpenSearchConnection connection;
    private final OpenSearchClient client;
    private final IndexManager indexes;
    private final Consumer<String> progress;

    BulkBaseline(OpenSearchConnection connection, Consumer<String> progress) {
        this.connection = connection;
        this.client = connection.client();
        this.indexes = new IndexManager(connection);
        this.progress = progress;
    }

    /**
     * The settings the sweep tries on a slice of {@code slice} documents: every bulk size and
     * in-flight count whose requests in flight hold at most half the slice (so that each trial
     * sends at least two rounds of requests).
     */
    static List<Setting> sweep(int slice) {
        List<Setting> settings = new ArrayList<>();
        for (int size : BULK_SIZES) {
            for (int inFlight : IN_FLIGHT) {
                if ((long) size * inFlight * 2 <= slice) {
                    settings.add(new Setting(size, inFlight));
                }
            }
        }
        return settings;
    }

    /** The fastest trial; the first of equals. */
    static Trial best(List<Trial> trials) {
        Trial best = trials.get(0);
        for (Trial trial : trials) {
            if (trial.rate() > best.rate()) {
                best = trial;
            }
        }
        return best;
    }

    /** The fastest trial with one request in flight, if the sweep had one. */
    static Optional<Trial> bestSingle(List<Trial> trials) {
        return trials.stream()
                .filter(t -> t.setting().inFlight() == 1)
                .max(Comparator.comparingDouble(Trial::rate));
    }

    /** The sweep's trials, each on its own slice of fresh ids in one sweep index. */
    List<Trial> tune(List<String> texts, int slice) throws Exception {
        String index = createIndex("bench-sweep");
        List<Map<String, Object>> documents = documents(texts.subList(0, slice), 11);
        // Warm-up: the client, the connection pool and the index's first segment.
        send(index, documents.subList(0, Math.min(500, slice)), "warm-", new Setting(500, 1));
        List<Trial> trials = new ArrayList<>();
        int round = 0;
        for (Setting setting : sweep(slice)) {
            double seconds = send(index, documents, "s" + round++ + "-", setting);
            trials.add(new Trial(setting, slice, seconds));
            progress.accept(
                    String.format(Locale.ROOT, "    %-24s %8.1f docs/s", setting, slice / seconds));
        }
        return trials;
    }

    /**
     * All texts as documents with the given setting into a fresh index of its own ({@code run}
     * tells the runs apart): seconds taken.
     */
    double measure(List<String> texts, Setting setting, int run) throws Exception {
        String index = createIndex("bench-raw-" + run);
        List<Map<String, Object>> documents = documents(texts, 7);
        return send(index, documents, "raw-", setting);
    }

    private String createIndex(String baseName) {
        IndexSpec spec =
                IndexSpec.builder()
                        .baseName(baseName)
                        .model(LocalEmbeddingModel.MODEL_ID)
                        .dimension(LocalEmbeddingModel.DIMENSIONS)
                        .replicas(0)
                        .build();
        indexes.ensureIndex(spec);
        return spec.indexName();
    }

    /** Documents as the job stores them (text, entity, model, vector); vectors made up front. */
    private static List<Map<String, Object>> documents(List<String> texts, long seed) {
        Random random = new Random(seed);
        List<Map<String, Object>> documents = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put(IndexFields.TEXT, texts.get(i));
            doc.put(IndexFields.ENTITY, "bench-" + i);
            doc.put(IndexFields.MODEL, LocalEmbeddingModel.MODEL_ID);
            doc.put(
                    IndexFields.EMBEDDING,
                    Benchmark.unitVector(random, LocalEmbeddingModel.DIMENSIONS));
            documents.add(doc);
        }
        return documents;
    }

    /**
     * Sends the documents in bulks of {@code setting.bulkSize()} with up to {@code
     * setting.inFlight()} requests at a time; returns the seconds from the first request to the
     * last answer. No refresh inside the timing.
     */
    private double send(
            String index, List<Map<String, Object>> documents, String idPrefix, Setting setting)
            throws Exception {
        List<List<BulkOperation>> bulks = new ArrayList<>();
        for (int from = 0; from < documents.size(); from += setting.bulkSize()) {
            List<BulkOperation> operations = new ArrayList<>();
            int to = Math.min(documents.size(), from + setting.bulkSize());
            for (int i = from; i < to; i++) {
                String id = idPrefix + i;
                Map<String, Object> doc = documents.get(i);
                operations.add(BulkOperation.of(o -> o.index(x -> x.id(id).document(doc))));
            }
            bulks.add(operations);
        }
        Merges.awaitNone(connection, progress);
        ExecutorService senders = Executors.newFixedThreadPool(setting.inFlight());
        try {
            long start = System.nanoTime();
            List<Future<BulkResponse>> answers = new ArrayList<>();
            for (List<BulkOperation> operations : bulks) {
                answers.add(
                        senders.submit(
                                () -> client.bulk(b -> b.index(index).operations(operations))));
            }
            for (Future<BulkResponse> answer : answers) {
                BulkResponse response = answer.get();
                if (response.errors()) {
                    throw new IllegalStateException(
                            "A bulk request had item errors: "
                                    + response.items().stream()
                                            .filter(item -> item.error() != null)
                                            .findFirst()
                                            .map(item -> item.error().reason())
                                            .orElse("?"));
                }
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            senders.shutdownNow();
        }
    }
}
