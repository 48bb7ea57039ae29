package dev.embedflow.peer.springai;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.MetadataMode;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;
import org.springframework.ai.openai.OpenAiEmbeddingModel;
import org.springframework.ai.openai.OpenAiEmbeddingOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.RetryUtils;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.ai.vectorstore.opensearch.OpenSearchVectorStore;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.ResponseErrorHandler;

/**
 * A peer of the benchmark's rows 9: Spring AI 1.1's ETL writer as a Spring AI user configures it.
 * {@link OpenAiEmbeddingModel} on Spring AI's default retry template (10 attempts, back-off from 2
 * s, times 5, at most 3 min) with retries on 429 switched on (what {@code
 * spring.ai.retry.on-http-codes=429} does in Spring Boot: a 429 becomes a {@link
 * TransientAiException}, other 4xx stay final); {@link TokenCountBatchingStrategy} with its
 * defaults (8,191 tokens per request less 10%); {@link OpenSearchVectorStore} writing to a new
 * index on the lucene engine (HNSW {@code m} and {@code ef_construction} as the benchmark gives
 * them, OpenSearch's 16 and 100 by default). {@value #THREADS} threads call {@code VectorStore.add}
 * with {@value #DOCUMENTS_PER_CALL} documents each time; a call that fails after the retries loses
 * its documents and the thread goes on.
 *
 * <p>Runs as a child JVM of {@code embedflow bench} on its own class path (Spring AI's Jackson and
 * opensearch-java 2.x): {@code SpringAiPeer --embeddings URL --model M --opensearch URL --texts
 * FILE [--hnsw-m M] [--hnsw-ef-construction EF]}, the texts a JSON array of strings. Prints one
 * JSON object on stdout: texts, stored, seconds (first call to the last call's end), failed calls,
 * this JVM's CPU seconds over the run. Logs go to stderr.
 */
public final class SpringAiPeer {

    /** Threads calling {@code VectorStore.add} ({@code --threads}). */
    static final int THREADS = 4;

    /** Documents handed to {@code VectorStore.add} at once, per thread ({@code --per-call}). */
    static final int DOCUMENTS_PER_CALL = 256;

    /** The HNSW graph's links per node unless {@code --hnsw-m} says otherwise. */
    static final int HNSW_M = 16;

    /** The HNSW graph's build-time candidates unless {@code --hnsw-ef-construction} says. */
    static final int HNSW_EF_CONSTRUCTION = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SpringAiPeer() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        URI embeddings = URI.create(required(options, "embeddings"));
        URI openSearch = URI.create(required(options, "opensearch"));
        List<String> texts =
                JSON.readValue(
                        Path.of(required(options, "texts")).toFile(),
                        new TypeReference<List<String>>() {});
        String model = required(options, "model");
        int dimensions = Integer.parseInt(options.getOrDefault("dimensions", "384"));
        int threads = Integer.parseInt(options.getOrDefault("threads", String.valueOf(THREADS)));
        int perCall =
                Integer.parseInt(
                        options.getOrDefault("per-call", String.valueOf(DOCUMENTS_PER_CALL)));
        int m = Integer.parseInt(options.getOrDefault("hnsw-m", String.valueOf(HNSW_M)));
        int efConstruction =
                Integer.parseInt(
                        options.getOrDefault(
                                "hnsw-ef-construction", String.valueOf(HNSW_EF_CONSTRUCTION)));
        Map<String, Object> result =
                run(
                        embeddings,
                        model,
                        mapping(dimensions, m, efConstruction),
                        dimensions,
                        openSearch,
                        texts,
                        threads,
                        perCall);
        System.out.println(JSON.writeValueAsString(result));
    }

    static Map<String, Object> run(
            URI embeddings,
            String model,
            String mapping,
            int dimensions,
            URI openSearch,
            List<String> texts,
            int threadCount,
            int perCall)
            throws Exception {
        OpenAiEmbeddingModel embeddingModel = embeddingModel(embeddings, model);
        String index = "bench-spring-ai-" + UUID.randomUUID().toString().substring(0, 8);
        OpenSearchTransport transport =
                ApacheHttpClient5TransportBuilder.builder(
                                new HttpHost(
                                        openSearch.getScheme(),
                                        openSearch.getHost(),
                                        openSearch.getPort()))
                        .build();
        OpenSearchClient client = new OpenSearchClient(transport);
        try {
            OpenSearchVectorStore store =
                    OpenSearchVectorStore.builder(client, embeddingModel)
                            .index(index)
                            .dimensions(dimensions)
                            .mappingJson(mapping)
                            .initializeSchema(true)
                            .batchingStrategy(new TokenCountBatchingStrategy())
                            .build();
            store.afterPropertiesSet();
            ExecutorService threads = Executors.newFixedThreadPool(threadCount);
            AtomicLong failedCalls = new AtomicLong();
            long cpuStart = cpuNanos();
            long start = System.nanoTime();
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < threadCount; t++) {
                    int from = t * texts.size() / threadCount;
                    int to = (t + 1) * texts.size() / threadCount;
                    running.add(
                            threads.submit(
                                    () -> {
                                        for (int at = from; at < to; at += perCall) {
                                            List<Document> documents = new ArrayList<>();
                                            for (int i = at; i < Math.min(to, at + perCall); i++) {
                                                documents.add(
                                                        new Document(
                                                                "t-" + i, texts.get(i), Map.of()));
                                            }
                                            try {
                                                store.add(documents);
                                            } catch (RuntimeException gaveUp) {
                                                failedCalls.incrementAndGet();
                                                System.err.println(
                                                        "spring-ai-peer: a call of "
                                                                + documents.size()
                                                                + " documents failed: "
                                                                + gaveUp);
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
            double cpuSeconds = (cpuNanos() - cpuStart) / 1e9;
            client.indices().refresh(r -> r.index(index));
            long stored = client.count(c -> c.index(index)).count();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("texts", texts.size());
            result.put("stored", stored);
            result.put("seconds", seconds);
            result.put("failedCalls", failedCalls.get());
            result.put("cpuSeconds", cpuSeconds);
            return result;
        } finally {
            try {
                client.indices().delete(d -> d.index(index).ignoreUnavailable(true));
            } finally {
                transport.close();
            }
        }
    }

    /**
     * Spring AI's OpenAI embedding model at {@code baseUrl} (without {@code /v1}), on its default
     * retry template, with 429 retried.
     */
    static OpenAiEmbeddingModel embeddingModel(URI baseUrl, String model) {
        OpenAiApi api =
                OpenAiApi.builder()
                        .baseUrl(baseUrl.toString())
                        .apiKey("benchmark")
                        .responseErrorHandler(new RetryOn429())
                        .build();
        return new OpenAiEmbeddingModel(
                api,
                MetadataMode.EMBED,
                OpenAiEmbeddingOptions.builder().model(model).build(),
                RetryUtils.DEFAULT_RETRY_TEMPLATE);
    }

    /**
     * The store's default mapping on the lucene engine (the node may have no other), with the HNSW
     * graph's {@code m} and {@code ef_construction} given: the benchmark builds every client's
     * graph alike.
     */
    static String mapping(int dimensions, int m, int efConstruction) {
        return String.format(
                Locale.ROOT,
                "{\"properties\": {\"embedding\": {\"type\": \"knn_vector\", \"dimension\": %d,"
                        + " \"method\": {\"name\": \"hnsw\", \"engine\": \"lucene\","
                        + " \"space_type\": \"cosinesimil\", \"parameters\": {\"m\": %d,"
                        + " \"ef_construction\": %d}}}}}",
                dimensions,
                m,
                efConstruction);
    }

    /**
     * Spring AI's response error handler with {@code on-http-codes} 429: a 429 may be retried,
     * other client errors may not, server errors may.
     */
    static final class RetryOn429 implements ResponseErrorHandler {

        @Override
        public boolean hasError(ClientHttpResponse response) throws IOException {
            return response.getStatusCode().isError();
        }

        @Override
        public void handleError(
                URI url, org.springframework.http.HttpMethod method, ClientHttpResponse response)
                throws IOException {
            HttpStatusCode status = response.getStatusCode();
            String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
            String message = status.value() + " - " + body;
            if (status.value() == 429 || status.is5xxServerError()) {
                throw new TransientAiException(message);
            }
            throw new NonTransientAiException(message);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
