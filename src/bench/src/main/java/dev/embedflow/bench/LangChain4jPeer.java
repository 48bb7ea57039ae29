package dev.embedflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embedflow.index.IndexFields;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchOptions;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A peer of rows 9: LangChain4j's {@link EmbeddingStoreIngestor} with its {@link
 * OpenAiEmbeddingModel} (defaults: batches of up to 2,048 segments, 2 retries), writing to
 * OpenSearch through a small {@link EmbeddingStore} on opensearch-java ({@code
 * langchain4j-opensearch} is not on Maven Central), {@value #THREADS} threads ingesting a quarter
 * of the documents each, one document per text. A text whose batch fails after LangChain4j's
 * retries is lost: the thread goes on with its next batch.
 */
final class LangChain4jPeer {

    static final int THREADS = 4;

    /** Documents handed to the ingestor at once, per thread. */
    static final int DOCUMENTS_PER_CALL = 256;

    /**
     * The HNSW graph of the library peers' indexes is built as EmbedFlow's is by default ({@code
     * opensearch.index.knn.m} and {@code ef-construction}), so that the index does the same work
     * per vector for every client.
     */
    static final int HNSW_M = OpenSearchOptions.KNN_M.defaultValue();

    static final int HNSW_EF_CONSTRUCTION = OpenSearchOptions.KNN_EF_CONSTRUCTION.defaultValue();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenSearchConnection connection;

    LangChain4jPeer(OpenSearchConnection connection) {
        this.connection = connection;
    }

    /**
     * Ingests {@code texts} into a new index and returns the texts stored and the seconds it took.
     */
    Result run(URI embeddings, String model, List<String> texts) throws Exception {
        String index = "bench-langchain4j-" + UUID.randomUUID().toString().substring(0, 8);
        connection.sendOk("PUT", "/" + index, mapping());
        OpenSearchStore store = new OpenSearchStore(connection, index);
        OpenAiEmbeddingModel embeddingModel =
                OpenAiEmbeddingModel.builder()
                        .baseUrl(embeddings.toString())
                        .apiKey("benchmark")
                        .modelName(model)
                        .timeout(Duration.ofSeconds(30))
                        .build();
        EmbeddingStoreIngestor ingestor =
                EmbeddingStoreIngestor.builder()
                        .embeddingModel(embeddingModel)
                        .embeddingStore(store)
                        .build();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        AtomicLong failedCalls = new AtomicLong();
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<String> slice =
                        texts.subList(t * texts.size() / THREADS, (t + 1) * texts.size() / THREADS);
                running.add(
                        threads.submit(
                                () -> {
                                    for (int from = 0;
                                            from < slice.size();
                                            from += DOCUMENTS_PER_CALL) {
                                        List<Document> documents =
                                                slice
                                                        .subList(
                                                                from,
                                                                Math.min(
                                                                        slice.size(),
                                                                        from + DOCUMENTS_PER_CALL))
                                                        .stream()
                                                        .map(Document::from)
                                                        .toList();
                                        try {
                                            ingestor.ingest(documents);
                                        } catch (RuntimeException gaveUp) {
                                            failedCalls.incrementAndGet();
                                        }
                                    }
                                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        connection.sendOk("POST", "/" + index + "/_refresh", null);
        long stored =
                connection.sendOk("GET", "/" + index + "/_count", null).path("count").asLong();
        connection.sendOk("DELETE", "/" + index, null);
        return new Result(texts.size(), stored, seconds, failedCalls.get());
    }

    /**
     * What a run did.
     *
     * @param texts texts given
     * @param stored documents in the index afterwards
     * @param seconds first call to last store
     * @param failedCalls ingest calls that failed (their texts are lost)
     */
    record Result(long texts, long stored, double seconds, long failedCalls) {}

    private static ObjectNode mapping() {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("settings").put("index.knn", true).put("number_of_replicas", 0);
        ObjectNode properties = body.putObject("mappings").putObject("properties");
        properties.putObject(IndexFields.TEXT).put("type", "text");
        properties
                .putObject(IndexFields.EMBEDDING)
                .put("type", "knn_vector")
                .put("dimension", 384)
                .putObject("method")
                .put("name", "hnsw")
                .put("engine", "lucene")
                .put("space_type", "cosinesimil")
                .putObject("parameters")
                .put("m", HNSW_M)
                .put("ef_construction", HNSW_EF_CONSTRUCTION);
        return body;
    }

    /** The store: one {@code _bulk} per {@code addAll}, text and vector per document. */
    static final class OpenSearchStore implements EmbeddingStore<TextSegment> {
        private final OpenSearchConnection connection;
        private final String index;

        OpenSearchStore(OpenSearchConnection connection, String index) {
            this.connection = connection;
            this.index = index;
        }

        @Override
        public String add(Embedding embedding) {
            String id = UUID.randomUUID().toString();
            add(id, embedding);
            return id;
        }

        @Override
        public void add(String id, Embedding embedding) {
            addAll(List.of(id), List.of(embedding), null);
        }

        @Override
        public String add(Embedding embedding, TextSegment segment) {
            String id = UUID.randomUUID().toString();
            addAll(List.of(id), List.of(embedding), List.of(segment));
            return id;
        }

        @Override
        public List<String> addAll(List<Embedding> embeddings) {
            List<String> ids = generateIds(embeddings.size());
            addAll(ids, embeddings, null);
            return ids;
        }

        @Override
        public void addAll(
                List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
            if (ids.isEmpty()) {
                return;
            }
            ByteArrayOutputStream bulk = new ByteArrayOutputStream();
            for (int i = 0; i < ids.size(); i++) {
                ObjectNode action = JSON.createObjectNode();
                action.putObject("index").put("_index", index).put("_id", ids.get(i));
                ObjectNode doc = JSON.createObjectNode();
                if (segments != null) {
                    doc.put(IndexFields.TEXT, segments.get(i).text());
                }
                var vector = doc.putArray(IndexFields.EMBEDDING);
                for (float f : embeddings.get(i).vector()) {
                    vector.add(f);
                }
                bulk.writeBytes(action.toString().getBytes(StandardCharsets.UTF_8));
                bulk.write('\n');
                bulk.writeBytes(doc.toString().getBytes(StandardCharsets.UTF_8));
                bulk.write('\n');
            }
            JsonNode response = connection.sendOk("POST", "/_bulk", bulk.toByteArray());
            if (response.path("errors").asBoolean(false)) {
                throw new IllegalStateException("bulk into " + index + " had errors");
            }
        }

        @Override
        public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
            throw new UnsupportedOperationException("the benchmark only ingests");
        }
    }
}
