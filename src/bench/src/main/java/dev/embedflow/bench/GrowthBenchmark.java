package dev.embedflow.bench;

import dev.embedflow.index.IndexSpec;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

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

    private final OpenSearchConnection connection;
    private final IndexFill fill;
    private final String model;
    private final int dimensions;
    private final Consumer<String> progress;

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
        this.fill = new IndexFill(connection, openSearch, model);
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

    /** One row: {@code existing} documents already indexed, compared with {@code baseline}. */
    BenchmarkTable.Row measure(
            String id, int existing, Optional<String> baseline, Indexing indexing)
            throws Exception {
        String base = "bench-growth-" + existing;
        IndexSpec spec = spec(base);
        progress.accept(
                String.format(
                        Locale.ROOT, "5: pre-filling an index with %,d documents...", existing));
        Random random = new Random(existing);
        IndexFill.Filled filled =
                fill.fill(spec, existing, i -> Benchmark.unitVector(random, dimensions));
        double fillSeconds = filled.seconds();
        Merges.Wait merges = filled.merges();
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
        // Deleting an index in the middle of its merges left the node unresponsive for minutes.
        fill.awaitMerges();
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
        return IndexFill.spec(base, model, dimensions);
    }
}
