package dev.embedflow.bench;

import dev.embedflow.index.IndexSpec;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.search.SearchHit;
import dev.embedflow.search.SearchOptions;
import dev.embedflow.search.SearchQuery;
import dev.embedflow.search.SemanticSearch;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Item 6 of the benchmark: does search find the exact nearest documents, and how fast, as the index
 * grows? An index is filled with documents in tight clusters (near-duplicates, as a business that
 * repeats itself produces: cosine about 0.8 within a cluster), then queries near random clusters
 * run through {@link SemanticSearch} with the default settings, timed one by one, and their top 10
 * are compared with an exact brute-force cosine ranking over every vector. The same queries then
 * run on the graph alone (exact scoring off), to show what the default candidates buy.
 */
final class SearchBenchmark {

    /** Documents per cluster, on average. */
    static final int CLUSTER_SIZE = 100;

    /** Noise added to a cluster's centre (relative norm): cosine 1 / (1 + 0.5²) between members. */
    static final double SPREAD = 0.5;

    private static final int K = 10;

    private final OpenSearchConnection connection;
    private final IndexFill fill;
    private final int dimensions;
    private final Consumer<String> progress;

    SearchBenchmark(
            OpenSearchConnection connection,
            URI openSearch,
            int dimensions,
            Consumer<String> progress) {
        this.connection = connection;
        this.fill = new IndexFill(connection, openSearch, MODEL);
        this.dimensions = dimensions;
        this.progress = progress;
    }

    /** The model recorded in the benchmark's indexes: no model made these vectors. */
    static final String MODEL = "synthetic-clusters";

    /** One row per index size, {@code queries} queries each. */
    List<BenchmarkTable.Row> run(String firstId, List<Integer> sizes, int queries)
            throws Exception {
        List<BenchmarkTable.Row> rows = new ArrayList<>();
        char suffix = 'a';
        for (int documents : sizes) {
            rows.add(measure(firstId + suffix++, documents, queries));
        }
        return rows;
    }

    private BenchmarkTable.Row measure(String id, int documents, int queries) throws Exception {
        progress.accept(
                String.format(
                        Locale.ROOT,
                        "6: filling an index with %,d clustered documents for search...",
                        documents));
        Random random = new Random(documents);
        int clusters = Math.max(1, documents / CLUSTER_SIZE);
        float[][] centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centres[c] = Benchmark.unitVector(random, dimensions);
        }
        float[][] vectors = new float[documents][];
        for (int i = 0; i < documents; i++) {
            vectors[i] = near(centres[random.nextInt(clusters)], random);
        }
        IndexSpec spec = spec("bench-search-" + documents);
        IndexFill.Filled filled = fill.fill(spec, documents, i -> vectors[i]);
        try {
            List<float[]> asked = new ArrayList<>();
            for (int q = 0; q < queries; q++) {
                asked.add(near(centres[random.nextInt(clusters)], random));
            }
            SemanticSearch search = new SemanticSearch(connection);
            SearchQuery.Builder defaults = SearchQuery.builder().k(K);
            Quality warm =
                    quality(
                            search,
                            spec,
                            vectors,
                            asked.subList(0, Math.min(20, queries)),
                            defaults);
            progress.accept("   warmed up with " + warm.latencies().count() + " queries");
            Quality byDefault = quality(search, spec, vectors, asked, defaults);
            boolean exact =
                    search.scoresExactly(spec.alias(), defaults.vector(asked.get(0)).build());
            // When the defaults already walk the graph, the graph alone is the same measurement.
            Quality graph =
                    exact
                            ? quality(
                                    search,
                                    spec,
                                    vectors,
                                    asked,
                                    SearchQuery.builder().k(K).exactMaxDocuments(0))
                            : byDefault;
            return new BenchmarkTable.Row(
                    id,
                    String.format(
                            Locale.ROOT,
                            "search: k-NN top %d of %,d docs in clusters, default settings",
                            K,
                            documents),
                    queries,
                    "queries",
                    byDefault.seconds(),
                    Optional.empty(),
                    String.format(
                            Locale.ROOT,
                            "recall@10 %.3f against exact cosine, same top hit %d/%d; latency %s;"
                                    + " %s. The graph alone (%d candidates): recall@10 %.3f, top"
                                    + " hit %d/%d, latency %s. Filled at %.0f docs/s, %s",
                            byDefault.recall(),
                            byDefault.sameTop(),
                            queries,
                            byDefault.latencies().summaryMillis(),
                            exact
                                    ? "scored exactly (at most "
                                            + SearchOptions.EXACT_MAX_DOCUMENTS.defaultValue()
                                            + " documents)"
                                    : "walked the graph",
                            SearchOptions.KNN_CANDIDATES.defaultValue(),
                            graph.recall(),
                            graph.sameTop(),
                            queries,
                            graph.latencies().summaryMillis(),
                            documents / filled.seconds(),
                            filled.merges().describe()));
        } finally {
            fill.awaitMerges();
            connection.sendOk("DELETE", "/" + spec.indexName(), null);
        }
    }

    /** Recall@10 against exact, queries whose top hit is the exact one, and the latencies. */
    record Quality(double recall, int sameTop, Latencies latencies, double seconds) {}

    private Quality quality(
            SemanticSearch search,
            IndexSpec spec,
            float[][] vectors,
            List<float[]> queries,
            SearchQuery.Builder settings) {
        double recall = 0;
        int sameTop = 0;
        List<Long> millis = new ArrayList<>();
        long total = 0;
        for (float[] query : queries) {
            long start = System.nanoTime();
            List<SearchHit> hits = search.search(spec.alias(), settings.vector(query).build());
            long took = System.nanoTime() - start;
            total += took;
            millis.add(took / 1_000_000);
            Exact exact = Exact.of(vectors, query, K);
            double nth = exact.scores()[exact.scores().length - 1];
            long found =
                    hits.stream()
                            .filter(h -> cosine(vectors[number(h)], query) >= nth - Exact.TIE)
                            .count();
            recall += Math.min(found, K) / (double) K;
            if (!hits.isEmpty()
                    && cosine(vectors[number(hits.get(0))], query)
                            >= exact.scores()[0] - Exact.TIE) {
                sameTop++;
            }
        }
        return new Quality(
                recall / queries.size(), sameTop, new Latencies(millis), Math.max(total, 1) / 1e9);
    }

    /** The exact top {@code k} cosines of {@code query} over {@code vectors}, best first. */
    record Exact(double[] scores) {
        /** Cosines this close tie: the server scores in float. */
        static final double TIE = 1e-5;

        static Exact of(float[][] vectors, float[] query, int k) {
            double[] best = new double[k];
            java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
            for (float[] v : vectors) {
                double c = cosine(v, query);
                if (c > best[k - 1]) {
                    int i = k - 1;
                    while (i > 0 && best[i - 1] < c) {
                        best[i] = best[i - 1];
                        i--;
                    }
                    best[i] = c;
                }
            }
            return new Exact(best);
        }
    }

    /** The document number of a hit ({@code fill-<n>}, as {@link IndexFill} names them). */
    private static int number(SearchHit hit) {
        return Integer.parseInt(hit.id().substring(hit.id().lastIndexOf('-') + 1));
    }

    /** Cosine of two unit vectors. */
    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    /** A unit vector near {@code centre}: the centre plus Gaussian noise of norm about SPREAD. */
    private float[] near(float[] centre, Random random) {
        float[] noise = Benchmark.unitVector(random, dimensions);
        float[] v = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            v[i] = (float) (centre[i] + SPREAD * noise[i]);
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            v[i] *= scale;
        }
        return v;
    }

    private IndexSpec spec(String base) {
        return IndexFill.spec(base, MODEL, dimensions);
    }
}
