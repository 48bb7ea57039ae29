package dev.embedflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.model.Embedder;
import dev.embedflow.model.Embedding;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.search.SearchHit;
import dev.embedflow.search.SearchQuery;
import dev.embedflow.search.SemanticSearch;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Item 7 of the benchmark: retrieval quality on the labelled question set ({@link LabelledSet}).
 * The corpus is embedded with the real model and indexed; each question runs as k-NN, BM25 and
 * hybrid with the default settings; a row per mode gives MRR@10 (the mean of 1 / rank of the first
 * answering document) and recall@10 (answering documents in the top 10 over the answering
 * documents, at most 10).
 */
final class RetrievalQuality {

    private static final int K = 10;

    /** The three ways to search. */
    enum Mode {
        KNN("k-NN"),
        BM25("BM25"),
        HYBRID("hybrid");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** MRR@10 and recall@10 of one mode over the questions. */
    record Score(double mrr, double recall) {}

    private final OpenSearchConnection connection;
    private final URI openSearch;
    private final Embedder model;
    private final Consumer<String> progress;

    RetrievalQuality(
            OpenSearchConnection connection,
            URI openSearch,
            Embedder model,
            Consumer<String> progress) {
        this.connection = connection;
        this.openSearch = openSearch;
        this.model = model;
        this.progress = progress;
    }

    /** Rows {@code <id>a} (k-NN), {@code b} (BM25), {@code c} (hybrid). */
    List<BenchmarkTable.Row> run(String id) throws Exception {
        List<LabelledSet.Document> corpus = LabelledSet.corpus();
        List<LabelledSet.Question> questions = LabelledSet.questions();
        progress.accept(
                String.format(
                        Locale.ROOT,
                        "7: retrieval quality, %d labelled questions over %d documents...",
                        questions.size(),
                        corpus.size()));
        List<Embedding> vectors =
                model.embed(corpus.stream().map(LabelledSet.Document::text).toList());
        IndexFill fill = new IndexFill(connection, openSearch, model.modelId());
        IndexSpec spec = IndexFill.spec("bench-quality", model.modelId(), model.dimensions());
        fill.fillWith(
                spec,
                corpus.size(),
                i -> {
                    LabelledSet.Document doc = corpus.get(i);
                    ObjectNode source =
                            fill.source(doc.text(), doc.entity(), vectors.get(i).vector());
                    if (doc.start() != null) {
                        source.put(IndexFields.WINDOW_START, doc.start().toString());
                        source.put(IndexFields.WINDOW_END, doc.end().toString());
                    }
                    return new IndexFill.Doc(doc.id(), source);
                });
        try {
            SemanticSearch search = new SemanticSearch(connection);
            List<float[]> asked =
                    model
                            .embed(questions.stream().map(LabelledSet.Question::question).toList())
                            .stream()
                            .map(Embedding::vector)
                            .toList();
            List<BenchmarkTable.Row> rows = new ArrayList<>();
            char suffix = 'a';
            for (Mode mode : Mode.values()) {
                long start = System.nanoTime();
                List<List<String>> results = new ArrayList<>();
                for (int q = 0; q < questions.size(); q++) {
                    results.add(
                            ids(
                                    search.search(
                                            spec.alias(),
                                            query(
                                                    mode,
                                                    questions.get(q).question(),
                                                    asked.get(q)))));
                }
                double seconds = Math.max(System.nanoTime() - start, 1) / 1e9;
                Score score = score(questions, results);
                rows.add(
                        new BenchmarkTable.Row(
                                id + suffix++,
                                "retrieval quality, " + mode.label + ", labelled questions",
                                questions.size(),
                                "questions",
                                seconds,
                                Optional.empty(),
                                String.format(
                                        Locale.ROOT,
                                        "MRR@10 %.3f, recall@10 %.3f over %d questions (%d"
                                                + " documents: sample events and shop documents;"
                                                + " %s)",
                                        score.mrr(),
                                        score.recall(),
                                        questions.size(),
                                        corpus.size(),
                                        model.modelId())));
            }
            return rows;
        } finally {
            connection.sendOk("DELETE", "/" + spec.indexName(), null);
        }
    }

    private static SearchQuery query(Mode mode, String text, float[] vector) {
        SearchQuery.Builder query = SearchQuery.builder().k(K);
        return switch (mode) {
            case KNN -> query.vector(vector).build();
            case BM25 -> query.text(text).build();
            case HYBRID -> query.vector(vector).text(text).hybrid(true).build();
        };
    }

    /** MRR@10 and recall@10 of {@code results} (hit ids, best first, one list per question). */
    static Score score(List<LabelledSet.Question> questions, List<List<String>> results) {
        double mrr = 0;
        double recall = 0;
        for (int q = 0; q < questions.size(); q++) {
            List<String> relevant = questions.get(q).relevant();
            List<String> hits = results.get(q);
            int top = Math.min(K, hits.size());
            int found = 0;
            for (int rank = 0; rank < top; rank++) {
                if (relevant.contains(hits.get(rank))) {
                    if (found == 0) {
                        mrr += 1.0 / (rank + 1);
                    }
                    found++;
                }
            }
            recall += found / (double) Math.min(K, relevant.size());
        }
        return new Score(mrr / questions.size(), recall / questions.size());
    }

    private static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::id).toList();
    }
}
