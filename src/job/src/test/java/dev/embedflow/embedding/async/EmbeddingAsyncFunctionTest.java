package dev.embedflow.embedding.async;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Stage;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.Outcome;
import dev.embedflow.embedding.ProviderKind;
import dev.embedflow.embedding.RetriesExhausted;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.util.RuntimeUDFContext;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The async function called as Flink's async operator calls it (asyncInvoke from the test thread,
 * standing in for the task thread), against OpenAI-shaped stand-in servers over real HTTP.
 */
class EmbeddingAsyncFunctionTest {

    private static final int DIMENSIONS = 8;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private StubHttpServer server;
    private EmbeddingAsyncFunction<TestDocument> function;

    @AfterEach
    void stop() throws Exception {
        if (function != null) {
            function.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Reply embeddings(StubHttpServer.Request request) {
        return Reply.json(
                200,
                EmbeddingStubs.openAiResponse(
                        EmbeddingStubs.texts(request.body().get("input")), "stub", DIMENSIONS));
    }

    private static List<String> inputs(StubHttpServer.Request request) {
        return EmbeddingStubs.texts(request.body().get("input"));
    }

    private EmbeddingConfig.Builder config() {
        return EmbeddingConfig.builder(ProviderKind.OPENAI)
                .baseUrl(server.baseUri())
                .model("stub")
                .dimensions(DIMENSIONS)
                .backoffInitial(Duration.ofMillis(10))
                .backoffMax(Duration.ofMillis(100));
    }

    private EmbeddingAsyncFunction<TestDocument> open(EmbeddingConfig config) throws Exception {
        function = new EmbeddingAsyncFunction<>(config);
        function.setRuntimeContext(
                new RuntimeUDFContext(
                        new TaskInfoImpl("embed", 1, 0, 1, 0),
                        getClass().getClassLoader(),
                        new ExecutionConfig(),
                        Map.of(),
                        Map.of(),
                        UnregisteredMetricsGroup.createOperatorMetricGroup()));
        function.open(DefaultOpenContext.INSTANCE);
        return function;
    }

    private List<TestResultFuture<EmbeddingResult<TestDocument>>> invokeAll(
            List<TestDocument> documents) throws Exception {
        List<TestResultFuture<EmbeddingResult<TestDocument>>> futures = new ArrayList<>();
        for (TestDocument document : documents) {
            TestResultFuture<EmbeddingResult<TestDocument>> future = new TestResultFuture<>();
            function.asyncInvoke(document, future);
            futures.add(future);
        }
        return futures;
    }

    private static List<TestDocument> documents(int count) {
        List<TestDocument> documents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            documents.add(TestDocument.of(i, "text number " + i));
        }
        return documents;
    }

    @Test
    void asyncInvokeReturnsAtOnceWhileTheServerIsSlow() throws Exception {
        server = StubHttpServer.start(r -> embeddings(r).after(Duration.ofMillis(500)));
        open(config().maxBatchSize(8).linger(Duration.ofMillis(5)).maxInFlight(2).build());
        // warm up class loading on this thread, outside the measurement
        invokeAll(documents(1)).get(0).get(WAIT);

        List<TestResultFuture<EmbeddingResult<TestDocument>>> futures = new ArrayList<>();
        long slowestCall = 0;
        long start = System.nanoTime();
        for (TestDocument document : documents(40)) {
            TestResultFuture<EmbeddingResult<TestDocument>> future = new TestResultFuture<>();
            long before = System.nanoTime();
            function.asyncInvoke(document, future);
            slowestCall = Math.max(slowestCall, System.nanoTime() - before);
            futures.add(future);
        }
        long allCalls = System.nanoTime() - start;
        boolean anyDoneRightAfter = futures.stream().anyMatch(TestResultFuture::isDone);

        System.out.printf(
                "40 asyncInvoke calls took %.2f ms, the slowest %.3f ms, with a 500 ms server%n",
                allCalls / 1e6, slowestCall / 1e6);
        assertThat(TimeUnit.NANOSECONDS.toMillis(slowestCall)).isLessThan(20);
        assertThat(TimeUnit.NANOSECONDS.toMillis(allCalls)).isLessThan(200);
        assertThat(anyDoneRightAfter).isFalse();
        for (TestResultFuture<EmbeddingResult<TestDocument>> future : futures) {
            assertThat(future.get(WAIT).isEmbedded()).isTrue();
            assertThat(future.completedOn()).startsWith("embedflow-embedding-dispatcher");
        }
    }

    @Test
    void manyRecordsArrivingTogetherShareRequests() throws Exception {
        server = StubHttpServer.start(r -> embeddings(r).after(Duration.ofMillis(30)));
        open(config().maxBatchSize(32).linger(Duration.ofMillis(5)).maxInFlight(1).build());
        List<TestDocument> documents = documents(200);

        List<TestResultFuture<EmbeddingResult<TestDocument>>> futures = invokeAll(documents);

        for (int i = 0; i < documents.size(); i++) {
            EmbeddingResult<TestDocument> result = futures.get(i).get(WAIT);
            assertThat(result.input()).isSameAs(documents.get(i));
            assertThat(result.vector())
                    .isEqualTo(EmbeddingStubs.vectorFor(documents.get(i).text(), DIMENSIONS));
        }
        List<Integer> sizes = server.requests().stream().map(r -> inputs(r).size()).toList();
        double average = sizes.stream().mapToInt(Integer::intValue).average().orElse(0);
        System.out.printf(
                "200 records in %d requests, %.1f texts per request%n", sizes.size(), average);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
        assertThat(average).isGreaterThan(4);
        assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(32));
    }

    @Test
    void aLoneRecordIsFlushedByTheLingerTime() throws Exception {
        server = StubHttpServer.start(EmbeddingAsyncFunctionTest::embeddings);
        open(config().maxBatchSize(32).linger(Duration.ofMillis(200)).build());

        long start = System.nanoTime();
        EmbeddingResult<TestDocument> result = invokeAll(documents(1)).get(0).get(WAIT);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(result.isEmbedded()).isTrue();
        assertThat(elapsedMillis).isBetween(180L, 5_000L);
        assertThat(server.requests()).hasSize(1);
        assertThat(inputs(server.requests().get(0))).containsExactly("text number 0");
    }

    @Test
    void aRejectedBatchIsSplitUntilOnlyTheBadTextIsDeadLettered() throws Exception {
        server =
                StubHttpServer.start(
                        r ->
                                inputs(r).stream().anyMatch(t -> t.contains("POISON"))
                                        ? Reply.json(
                                                400,
                                                EmbeddingStubs.openAiError(
                                                        "Invalid input: contains forbidden"
                                                                + " content.",
                                                        "invalid_request_error",
                                                        "invalid_value"))
                                        : embeddings(r));
        open(config().maxBatchSize(16).linger(Duration.ofMillis(50)).build());
        List<TestDocument> documents = new ArrayList<>(documents(16));
        documents.set(5, TestDocument.of(5, "a POISON text"));

        List<TestResultFuture<EmbeddingResult<TestDocument>>> futures = invokeAll(documents);

        for (int i = 0; i < documents.size(); i++) {
            EmbeddingResult<TestDocument> result = futures.get(i).get(WAIT);
            assertThat(result.isEmbedded()).as("record %d", i).isEqualTo(i != 5);
        }
        DeadLetter deadLetter = futures.get(5).get(WAIT).deadLetter();
        assertThat(deadLetter.stage()).isEqualTo(Stage.EMBEDDING);
        assertThat(deadLetter.reason())
                .contains("HTTP 400")
                .contains("Invalid input: contains forbidden content.")
                .contains("openai at " + server.baseUri());
        assertThat(deadLetter.documentId()).isEqualTo("doc-5");
        assertThat(deadLetter.origins()).isEqualTo(documents.get(5).origins());
        assertThat(deadLetter.payload())
                .isEqualTo("a POISON text".getBytes(StandardCharsets.UTF_8));
        // 16 -> 8+8 -> 4+4 -> 2+2 -> 1+1: one request per halving on the poison's side
        assertThat(server.requests()).hasSize(9);
    }

    @Test
    void anUnusableVectorIsAnErrorOfItsRecordOnly() throws Exception {
        server =
                StubHttpServer.start(
                        r -> {
                            List<String> texts = inputs(r);
                            StringBuilder data = new StringBuilder();
                            for (int i = 0; i < texts.size(); i++) {
                                String vector =
                                        switch (texts.get(i)) {
                                            case "zero" -> "[0,0,0,0,0,0,0,0]";
                                            case "short" -> "[0.5,0.5,0.5]";
                                            default -> {
                                                StringBuilder v = new StringBuilder("[");
                                                float[] f =
                                                        EmbeddingStubs.vectorFor(
                                                                texts.get(i), DIMENSIONS);
                                                for (int d = 0; d < f.length; d++) {
                                                    v.append(d == 0 ? "" : ",").append(f[d]);
                                                }
                                                yield v.append("]").toString();
                                            }
                                        };
                                data.append(i == 0 ? "" : ",")
                                        .append("{\"index\":")
                                        .append(i)
                                        .append(",\"embedding\":")
                                        .append(vector)
                                        .append("}");
                            }
                            return Reply.json(200, "{\"data\":[" + data + "],\"model\":\"stub\"}");
                        });
        open(config().linger(Duration.ofMillis(50)).build());
        List<TestDocument> documents =
                List.of(
                        TestDocument.of(0, "fine"),
                        TestDocument.of(1, "zero"),
                        TestDocument.of(2, "short"),
                        TestDocument.of(3, "also fine"));

        List<TestResultFuture<EmbeddingResult<TestDocument>>> futures = invokeAll(documents);

        assertThat(futures.get(0).get(WAIT).isEmbedded()).isTrue();
        assertThat(futures.get(1).get(WAIT).deadLetter().reason()).contains("zero vector");
        assertThat(futures.get(2).get(WAIT).deadLetter().reason())
                .contains("3 dimensions, expected 8");
        assertThat(futures.get(3).get(WAIT).isEmbedded()).isTrue();
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aFatalErrorFailsTheRecordsAndEveryLaterOne() throws Exception {
        server =
                StubHttpServer.start(
                        r ->
                                Reply.json(
                                        401,
                                        EmbeddingStubs.openAiError(
                                                "Incorrect API key provided: sk-abc***wxyz.",
                                                "invalid_request_error",
                                                "invalid_api_key")));
        open(config().linger(Duration.ofMillis(50)).build());

        List<TestResultFuture<EmbeddingResult<TestDocument>>> futures = invokeAll(documents(3));

        for (TestResultFuture<EmbeddingResult<TestDocument>> future : futures) {
            Throwable failure = future.failure(WAIT);
            assertThat(failure).isInstanceOf(EmbeddingException.class);
            assertThat(((EmbeddingException) failure).outcome()).isEqualTo(Outcome.FATAL);
            assertThat(failure.getMessage())
                    .contains("openai at " + server.baseUri() + "/v1/embeddings (model stub)")
                    .contains("HTTP 401")
                    .doesNotContain("sk-abc");
        }
        Throwable later = invokeAll(documents(1)).get(0).failure(WAIT);
        assertThat(later).hasMessageContaining("HTTP 401");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void spentRetriesDeadLetterTheRecord() throws Exception {
        server =
                StubHttpServer.start(
                        r ->
                                Reply.json(
                                        503,
                                        "{\"error\":{\"message\":\"The server is overloaded.\"}}"));
        open(config().maxAttempts(3).linger(Duration.ZERO).build());

        DeadLetter deadLetter = invokeAll(documents(1)).get(0).get(WAIT).deadLetter();

        assertThat(deadLetter.reason())
                .startsWith("gave up after 3 attempt(s)")
                .contains("HTTP 503")
                .contains("The server is overloaded.");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aRecordThatTimesOutIsDeadLetteredAndItsTextIsNeverSent() throws Exception {
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server =
                StubHttpServer.start(
                        r -> {
                            if (inputs(r).contains("text number 0")) {
                                firstArrived.countDown();
                                release.await(30, TimeUnit.SECONDS);
                            }
                            return embeddings(r);
                        });
        open(config().maxBatchSize(1).maxInFlight(1).linger(Duration.ZERO).build());
        try {
            List<TestResultFuture<EmbeddingResult<TestDocument>>> futures = invokeAll(documents(1));
            assertThat(firstArrived.await(30, TimeUnit.SECONDS)).isTrue();
            TestDocument queued = TestDocument.of(1, "text number 1");
            TestResultFuture<EmbeddingResult<TestDocument>> timedOut = new TestResultFuture<>();
            function.asyncInvoke(queued, timedOut);
            List<TestResultFuture<EmbeddingResult<TestDocument>>> later =
                    invokeAll(List.of(TestDocument.of(2, "text number 2")));

            // What Flink's async operator calls when the record's timeout fires.
            function.timeout(queued, timedOut);
            release.countDown();

            assertThat(timedOut.get(WAIT).deadLetter().reason())
                    .startsWith("no embedding from")
                    .contains("within the async operator timeout");
            assertThat(futures.get(0).get(WAIT).vector()).hasSize(DIMENSIONS);
            assertThat(later.get(0).get(WAIT).vector()).hasSize(DIMENSIONS);
            assertThat(server.requests().stream().flatMap(r -> inputs(r).stream()))
                    .containsExactly("text number 0", "text number 2");
            assertThat(function.pendingTexts()).isZero();
        } finally {
            release.countDown();
        }
    }

    @Test
    void spentRetriesFailTheJobWhenConfiguredTo() throws Exception {
        server = StubHttpServer.start(r -> Reply.json(500, "{\"error\":{\"message\":\"boom\"}}"));
        open(
                config().maxAttempts(2)
                        .linger(Duration.ZERO)
                        .onRetriesExhausted(RetriesExhausted.FAIL)
                        .build());

        Throwable failure = invokeAll(documents(1)).get(0).failure(WAIT);

        assertThat(failure).hasMessageStartingWith("gave up after 2 attempt(s)");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aRetryWaitsAsLongAsRetryAfterAsks() throws Exception {
        server =
                StubHttpServer.start(
                        r ->
                                server.requests().size() == 1
                                        ? Reply.json(
                                                        429,
                                                        EmbeddingStubs.openAiError(
                                                                "Rate limit reached",
                                                                "requests",
                                                                "rate_limit_exceeded"))
                                                .withHeader("Retry-After", "1")
                                        : embeddings(r));
        open(config().linger(Duration.ZERO).build());

        assertThat(invokeAll(documents(1)).get(0).get(WAIT).isEmbedded()).isTrue();

        List<StubHttpServer.Request> requests = server.requests();
        assertThat(requests).hasSize(2);
        long gapMillis =
                TimeUnit.NANOSECONDS.toMillis(
                        requests.get(1).arrivedNanos() - requests.get(0).arrivedNanos());
        assertThat(gapMillis).isGreaterThanOrEqualTo(950);
    }
}
