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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a record's timeout does to its text (withdrawn: never sent, never retried, no callback) and
 * where a text's retry budget starts (at submit, as Flink's timeout does), with one request in
 * flight at a time, a stand-in that holds the first request until the test lets it go, and a manual
 * clock.
 */
class BatchDispatcherCancelTest {

    private static final int DIMENSIONS = 4;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final CapturingMetricGroup metrics = new CapturingMetricGroup();
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final CountDownLatch firstArrived = new CountDownLatch(1);
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    private StubHttpServer server;
    private EmbeddingProvider provider;
    private BatchDispatcher dispatcher;

    @AfterEach
    void stop() {
        releaseFirst.countDown();
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

    /** "held"/"held-fails" wait for the test; "fail"/"held-fails" answer 503; others embed. */
    private Reply answer(StubHttpServer.Request request) throws InterruptedException {
        List<String> texts = EmbeddingStubs.texts(request.body().get("input"));
        if (texts.contains("held") || texts.contains("held-fails")) {
            firstArrived.countDown();
            assertThat(releaseFirst.await(30, TimeUnit.SECONDS)).isTrue();
        }
        if (texts.contains("fail") || texts.contains("held-fails")) {
            return Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}");
        }
        return Reply.json(200, EmbeddingStubs.openAiResponse(texts, "stub", DIMENSIONS));
    }

    private void start(Duration retryBudget) throws Exception {
        server = StubHttpServer.start(this::answer);
        EmbeddingConfig config =
                EmbeddingConfig.builder(ProviderKind.OPENAI)
                        .baseUrl(server.baseUri())
                        .model("stub")
                        .maxBatchSize(1)
                        .maxInFlight(1)
                        .linger(Duration.ZERO)
                        .maxRetryDuration(retryBudget)
                        .backoffInitial(Duration.ofMillis(1))
                        .backoffMax(Duration.ofMillis(1))
                        .build();
        provider = EmbeddingProviders.create(config);
        provider.open();
        dispatcher = new BatchDispatcher(config, provider, 1, metrics, clock::get);
    }

    /** The outcome of one text: its vector, or the rejection reason. */
    private static final class Outcome implements BatchDispatcher.Callback {
        final CompletableFuture<String> done = new CompletableFuture<>();

        @Override
        public void embedded(float[] vector) {
            done.complete("embedded");
        }

        @Override
        public void rejected(String reason) {
            done.complete("rejected: " + reason);
        }

        @Override
        public void failed(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    private List<String> textsSent() {
        return server.requests().stream()
                .flatMap(r -> EmbeddingStubs.texts(r.body().get("input")).stream())
                .toList();
    }

    @Test
    void aCancelledTextLeavesTheQueueAndIsNeverSent() throws Exception {
        start(Duration.ofMinutes(2));
        Outcome held = new Outcome();
        Outcome cancelled = new Outcome();
        Outcome after = new Outcome();
        dispatcher.submit("held", held);
        assertThat(firstArrived.await(30, TimeUnit.SECONDS)).isTrue();
        BatchDispatcher.Submission queued = dispatcher.submit("timed out", cancelled);
        dispatcher.submit("after", after);

        queued.cancel();
        releaseFirst.countDown();

        assertThat(held.done.get(30, TimeUnit.SECONDS)).isEqualTo("embedded");
        // "after" was queued behind the cancelled text: once it is answered, that one is gone.
        assertThat(after.done.get(30, TimeUnit.SECONDS)).isEqualTo("embedded");
        assertThat(textsSent()).containsExactly("held", "after");
        assertThat(cancelled.done).isNotDone();
        assertThat(metrics.count("cancelled")).isEqualTo(1);
        assertThat(metrics.count("texts")).isEqualTo(2);
    }

    @Test
    void aTextCancelledInFlightIsNotRetriedWhenItsRequestFails() throws Exception {
        start(Duration.ofMinutes(2));
        Outcome cancelled = new Outcome();
        BatchDispatcher.Submission inFlight = dispatcher.submit("held-fails", cancelled);
        assertThat(firstArrived.await(30, TimeUnit.SECONDS)).isTrue();
        Outcome after = new Outcome();
        dispatcher.submit("after", after);

        inFlight.cancel();
        releaseFirst.countDown(); // the held request now fails with 503

        assertThat(after.done.get(30, TimeUnit.SECONDS)).isEqualTo("embedded");
        assertThat(cancelled.done).isNotDone();
        assertThat(textsSent()).containsExactly("held-fails", "after");
        assertThat(metrics.count("retries.retryable_server")).isZero();
    }

    @Test
    void aTextCancelledWhileItsRequestRunsIsNeitherRetriedNorAnswered() throws Exception {
        start(Duration.ofMinutes(2));
        Outcome first = new Outcome();
        BatchDispatcher.Submission running = dispatcher.submit("held", first);
        assertThat(firstArrived.await(30, TimeUnit.SECONDS)).isTrue();
        Outcome failing = new Outcome();
        BatchDispatcher.Submission failingSubmission = dispatcher.submit("fail", failing);
        Outcome after = new Outcome();
        dispatcher.submit("after", after);

        running.cancel();
        failingSubmission.cancel();
        releaseFirst.countDown();

        assertThat(after.done.get(30, TimeUnit.SECONDS)).isEqualTo("embedded");
        // The held request was answered, but its record had timed out: no callback.
        assertThat(first.done).isNotDone();
        assertThat(failing.done).isNotDone();
        assertThat(textsSent()).containsExactly("held", "after");
        assertThat(metrics.count("embedded")).isEqualTo(2);
    }

    @Test
    void theRetryBudgetCountsFromSubmitNotFromTheFirstSend() throws Exception {
        start(Duration.ofSeconds(10));
        Outcome held = new Outcome();
        dispatcher.submit("held", held);
        assertThat(firstArrived.await(30, TimeUnit.SECONDS)).isTrue();
        Outcome failing = new Outcome();
        dispatcher.submit("fail", failing);

        // The text waits in the queue for longer than its whole budget...
        clock.addAndGet(11 * SECOND);
        releaseFirst.countDown();

        // ...so its first failure is its last: no retry (counted from the first send, it had 10 s).
        assertThat(failing.done.get(30, TimeUnit.SECONDS))
                .startsWith("rejected: gave up after 1 attempt(s), 11000 ms after it was submitted")
                .contains("503");
        assertThat(textsSent()).containsExactly("held", "fail");
    }

    @Test
    void withinItsBudgetAFailedTextIsRetried() throws Exception {
        start(Duration.ofSeconds(10));
        Outcome held = new Outcome();
        dispatcher.submit("held", held);
        assertThat(firstArrived.await(30, TimeUnit.SECONDS)).isTrue();
        Outcome failing = new Outcome();
        dispatcher.submit("fail", failing);

        clock.addAndGet(9 * SECOND);
        releaseFirst.countDown();

        // Retried until the attempts (8 by default) are spent; the clock does not move.
        assertThat(failing.done.get(30, TimeUnit.SECONDS)).startsWith("rejected: gave up after 8");
    }
}
