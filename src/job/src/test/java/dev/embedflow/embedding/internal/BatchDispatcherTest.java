package dev.embedflow.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.ProviderKind;
import dev.embedflow.embedding.provider.EmbeddingProviders;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Adaptive in-flight limit, rate caps and metrics of the dispatcher, over real HTTP. */
class BatchDispatcherTest {

    private static final int DIMENSIONS = 4;

    /** Where the rate tests' manual clock starts (nanoseconds). */
    private static final long START = TimeUnit.SECONDS.toNanos(1_000);

    private StubHttpServer server;
    private EmbeddingProvider provider;
    private BatchDispatcher dispatcher;
    private final CapturingMetricGroup metrics = new CapturingMetricGroup();

    /** The dispatcher's clock in the rate tests, moved on by the test alone. */
    private final AtomicLong clock = new AtomicLong(START);

    /** The manual clock's time as each request arrived at the stub. */
    private final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (provider != null) {
            provider.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Reply embeddings(StubHttpServer.Request r) {
        return Reply.json(
                200,
                EmbeddingStubs.openAiResponse(
                        EmbeddingStubs.texts(r.body().get("input")), "stub", DIMENSIONS));
    }

    private void start(EmbeddingConfig.Builder config, int parallelism) {
        start(config, parallelism, System::nanoTime);
    }

    private void start(EmbeddingConfig.Builder config, int parallelism, LongSupplier time) {
        EmbeddingConfig c =
                config.baseUrl(server.baseUri()).model("stub").linger(Duration.ZERO).build();
        provider = EmbeddingProviders.create(c);
        provider.open();
        dispatcher = new BatchDispatcher(c, provider, parallelism, metrics, time);
    }

    private List<CompletableFuture<float[]>> submit(int count) {
        List<CompletableFuture<float[]>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<float[]> result = new CompletableFuture<>();
            dispatcher.submit(
                    "text " + i,
                    new BatchDispatcher.Callback() {
                        @Override
                        public void embedded(float[] vector) {
                            result.complete(vector);
                        }

                        @Override
                        public void rejected(String reason) {
                            result.completeExceptionally(new AssertionError(reason));
                        }

                        @Override
                        public void failed(Throwable error) {
                            result.completeExceptionally(error);
                        }
                    });
            results.add(result);
        }
        return results;
    }

    private int inFlightLimit() {
        return (Integer) metrics.gaugeValue("inFlightLimit");
    }

    @Test
    void inFlightLimitHalvesOn429AndRecoversWithSuccesses() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server =
                StubHttpServer.start(
                        r ->
                                calls.incrementAndGet() <= 8
                                        ? Reply.json(
                                                        429,
                                                        EmbeddingStubs.openAiError(
                                                                "slow down",
                                                                "requests",
                                                                "rate_limit_exceeded"))
                                                .withHeader("Retry-After", "0")
                                                .after(Duration.ofMillis(50))
                                        : embeddings(r).after(Duration.ofMillis(20)));
        start(
                EmbeddingConfig.builder(ProviderKind.OPENAI)
                        .maxBatchSize(1)
                        .maxInFlight(8)
                        .backoffInitial(Duration.ofMillis(100))
                        .backoffMax(Duration.ofMillis(100)),
                1);
        assertThat(inFlightLimit()).isEqualTo(8);

        List<CompletableFuture<float[]>> first = submit(8);
        int lowest = 8;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).isDone()
                && System.nanoTime() < deadline) {
            lowest = Math.min(lowest, inFlightLimit());
            Thread.sleep(1);
        }
        CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        // eight requests sent together and all refused: halved once, not down to 1
        assertThat(lowest).isEqualTo(4);
        assertThat(metrics.count("retries.retryable_rate_limited")).isEqualTo(8);

        CompletableFuture.allOf(submit(8).toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.SECONDS);
        assertThat(inFlightLimit()).isEqualTo(8);
        assertThat(metrics.count("requests")).isEqualTo(24);
        assertThat(metrics.count("embedded")).isEqualTo(16);
    }

    @Test
    void whileHalvedNoMoreThanTheLimitIsInFlight() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server =
                StubHttpServer.start(
                        r ->
                                calls.incrementAndGet() == 1
                                        ? Reply.json(429, "{\"error\":{\"message\":\"slow\"}}")
                                        : embeddings(r).after(Duration.ofMillis(100)));
        start(
                EmbeddingConfig.builder(ProviderKind.OPENAI)
                        .maxBatchSize(1)
                        .maxInFlight(2)
                        .backoffInitial(Duration.ofMillis(10))
                        .backoffMax(Duration.ofMillis(10)),
                1);

        CompletableFuture.allOf(submit(1).toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.SECONDS);
        // the 429 halved 2 to 1, the success brought it back to 2: never more than 2 at once
        CompletableFuture.allOf(submit(10).toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.SECONDS);

        assertThat(server.maxConcurrent()).isEqualTo(2);
    }

    /**
     * Answers with embeddings and notes the manual clock's time of each request: the rate tests
     * read the pacing from the dispatcher's clock, not from the wall clock.
     */
    private Reply stampedEmbeddings(StubHttpServer.Request r) {
        arrivals.add(clock.get());
        return embeddings(r);
    }

    /**
     * Moves the manual clock on a millisecond at a time, never faster than a millisecond per
     * millisecond waited for a request (the dispatcher wakes up on real timers and then reads this
     * clock), until {@code count} requests came; returns the clock's time at each request's
     * arrival, from the dispatcher's start. A request is stamped when it arrives, never before it
     * was sent: a stamp earlier than the caps allow shows a request sent too early, whatever the
     * machine's speed.
     */
    private List<Long> driveClock(int count) throws InterruptedException {
        List<Long> stamps = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (stamps.size() < count) {
            assertThat(System.nanoTime() - deadline).as("%d requests came", count).isNegative();
            Long stamp = arrivals.poll(1, TimeUnit.MILLISECONDS);
            if (stamp != null) {
                stamps.add(stamp - START);
            } else {
                clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        return stamps;
    }

    /**
     * Asserts that the {@code i}-th request in the clock's order came no earlier than {@code i}
     * intervals. The stamps are sorted first: the stub's threads read the clock and then queue the
     * stamp, so two requests that arrive close together may queue out of order.
     */
    private static void assertNoneBeforeItsTime(List<Long> stamps, Duration interval) {
        List<Long> inOrder = stamps.stream().sorted().toList();
        for (int i = 0; i < inOrder.size(); i++) {
            assertThat(inOrder.get(i))
                    .as("request %d", i)
                    .isGreaterThanOrEqualTo(i * interval.toNanos());
        }
    }

    /**
     * Starts the dispatcher on the manual clock with one text per request, submits {@code count}
     * texts, drives the clock until every request came and every text is answered; the stamps.
     */
    private List<Long> pacedStamps(EmbeddingConfig.Builder config, int parallelism, int count)
            throws Exception {
        server = StubHttpServer.start(this::stampedEmbeddings);
        start(config.maxBatchSize(1), parallelism, clock::get);
        List<CompletableFuture<float[]>> results = submit(count);
        List<Long> stamps = driveClock(count);
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.SECONDS);
        return stamps;
    }

    @Test
    void theRateCapSpreadsRequestsAndEachSubtaskTakesItsShare() throws Exception {
        // 40 requests/s for the job, parallelism 2: 20/s for this subtask, one every 50 ms
        List<Long> stamps =
                pacedStamps(
                        EmbeddingConfig.builder(ProviderKind.OPENAI)
                                .maxInFlight(8)
                                .maxRequestsPerSecond(40),
                        2,
                        21);

        assertNoneBeforeItsTime(stamps, Duration.ofMillis(50));
        assertThat(server.requests()).hasSize(21);
    }

    @Test
    void theTokenCapHoldsBatchesBack() throws Exception {
        // 120 tokens/min = 2 tokens/s; "text N" is estimated at 2 tokens: one text per second
        List<Long> stamps =
                pacedStamps(
                        EmbeddingConfig.builder(ProviderKind.OPENAI)
                                .maxInFlight(4)
                                .maxTokensPerMinute(120),
                        1,
                        3);

        assertNoneBeforeItsTime(stamps, Duration.ofSeconds(1));
    }

    @Test
    void underATokenCapABatchHoldsAtMostOneSecondsShare() throws Exception {
        server = StubHttpServer.start(BatchDispatcherTest::embeddings);
        // 1,200 tokens/min over 2 subtasks: 10 tokens/s for this one; "text N" is 2 tokens, so a
        // batch holds 5 texts, however many wait (the linger would let all 12 gather).
        EmbeddingConfig c =
                EmbeddingConfig.builder(ProviderKind.OPENAI)
                        .maxTokensPerMinute(1_200)
                        .baseUrl(server.baseUri())
                        .model("stub")
                        .linger(Duration.ofSeconds(1))
                        .build();
        provider = EmbeddingProviders.create(c);
        provider.open();
        dispatcher = new BatchDispatcher(c, provider, 2, metrics);

        CompletableFuture.allOf(submit(12).toArray(CompletableFuture[]::new))
                .get(20, TimeUnit.SECONDS);

        List<StubHttpServer.Request> requests = server.requests();
        assertThat(requests)
                .allSatisfy(r -> assertThat(r.body().get("input").size()).isLessThanOrEqualTo(5));
        assertThat(requests.stream().mapToInt(r -> r.body().get("input").size()).sum())
                .isEqualTo(12);
        assertThat(requests.get(0).body().get("input").size()).isEqualTo(5);
    }
}
