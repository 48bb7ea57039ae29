package dev.embedflow.embedding.internal;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingResponse;
import dev.embedflow.embedding.Outcome;
import dev.embedflow.embedding.RetriesExhausted;
import dev.embedflow.http.Backoff;
import dev.embedflow.http.TokenBucket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.MetricGroup;

/**
 * Collects texts into batches and sends them through an {@link EmbeddingProvider}: a batch goes
 * when it holds {@link EmbeddingConfig#maxBatchSize()} texts, when it reaches the token budget, or
 * when its oldest text has waited the linger time; at most the adaptive in-flight limit of requests
 * run at once, within the configured rate caps. Failures are handled by their {@link Outcome}:
 * retried with backoff (honouring Retry-After) within each text's budget, split in halves until the
 * text at fault is alone, or fatal.
 *
 * <p>Each text's retry budget ({@link EmbeddingConfig#maxRetryDuration()}) counts from its {@link
 * #submit}, as Flink's async timeout does from {@code asyncInvoke}; a {@link Submission} cancelled
 * (the record timed out) leaves the queue and is never sent, or, if already sent, never retried,
 * and its callback is not called.
 *
 * <p>All state is confined to one dispatcher thread: {@link #submit} only hands the text over, and
 * responses hop back to that thread, so the caller (a Flink task thread) never blocks and never
 * takes a lock. Callbacks run on the dispatcher thread.
 */
@Internal
public final class BatchDispatcher implements AutoCloseable {

    /** How a submitted text ends; exactly one method is called, once. */
    public interface Callback {
        /** The text's vector. */
        void embedded(float[] vector);

        /** The text cannot be embedded; {@code reason} names why (never a secret). */
        void rejected(String reason);

        /** The job should fail (fatal error, or retries spent and configured to fail). */
        void failed(Throwable error);
    }

    /** A submitted text, to cancel when its record no longer waits for it. */
    public interface Submission {
        /**
         * Withdraws the text: it leaves the queue, is not retried, and its callback is not called
         * from now on. Idempotent; any thread.
         */
        void cancel();
    }

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private final EmbeddingConfig config;
    private final EmbeddingProvider provider;
    private final EmbeddingMetrics metrics;
    private final ScheduledThreadPoolExecutor loop;
    private final AimdLimit limit;
    private final Backoff backoff;
    private final TokenBucket requestBucket;
    private final TokenBucket tokenBucket;
    private final long lingerNanos;
    private final long maxBatchTokens;
    private final LongSupplier clock;

    // Confined to the loop thread.
    private final ArrayDeque<Item> fresh = new ArrayDeque<>();
    private final ArrayDeque<List<Item>> ready = new ArrayDeque<>();
    private long freshTokens;
    private ScheduledFuture<?> timer;
    private long timerAtNanos;
    private EmbeddingException fatal;
    private Integer dimensions;
    private volatile int inFlight;

    /**
     * @param config the settings
     * @param provider an opened provider; the dispatcher does not close it
     * @param parallelism the operator's parallelism: each subtask takes this share of the rate caps
     * @param metricGroup where the metrics go
     */
    public BatchDispatcher(
            EmbeddingConfig config,
            EmbeddingProvider provider,
            int parallelism,
            MetricGroup metricGroup) {
        this(config, provider, parallelism, metricGroup, System::nanoTime);
    }

    /** As above, reading time from {@code clock} (nanoseconds, as {@link System#nanoTime}). */
    BatchDispatcher(
            EmbeddingConfig config,
            EmbeddingProvider provider,
            int parallelism,
            MetricGroup metricGroup,
            LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
        this.provider = Objects.requireNonNull(provider, "provider");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        this.limit = new AimdLimit(config.maxInFlight());
        this.backoff =
                new Backoff(
                        config.backoffInitial(),
                        config.backoffMax(),
                        config.backoffMultiplier(),
                        config.backoffJitter(),
                        new SplittableRandom());
        this.lingerNanos = config.linger().toNanos();
        this.dimensions = config.dimensions().orElse(null);
        long now = clock.getAsLong();
        // Requests are paced evenly (no burst); tokens may burst up to one second's share, and a
        // batch larger than that waits for a full bucket and leaves it in debt, so the average
        // stays at the cap.
        this.requestBucket =
                config.maxRequestsPerSecond()
                        .map(r -> new TokenBucket(r / parallelism, 1.0, now))
                        .orElse(null);
        this.tokenBucket =
                config.maxTokensPerMinute()
                        .map(t -> (double) t / parallelism / 60.0)
                        .map(perSecond -> new TokenBucket(perSecond, Math.max(1.0, perSecond), now))
                        .orElse(null);
        // Under a token cap a batch holds at most one second's share (the bucket's capacity): a
        // larger one would leave this subtask in debt while the others spend the same second of
        // the service's quota, and their requests would meet 429s. A single larger text still
        // goes alone. The capacity is at least 1, so is the limit.
        this.maxBatchTokens =
                tokenBucket == null
                        ? config.maxBatchTokens()
                        : Math.min(
                                config.maxBatchTokens(), (long) Math.floor(tokenBucket.capacity()));
        this.metrics = new EmbeddingMetrics(metricGroup, () -> inFlight, limit::current);
        this.loop =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t =
                                    new Thread(
                                            r,
                                            "embedflow-embedding-dispatcher-"
                                                    + THREAD_NUMBER.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        loop.setRemoveOnCancelPolicy(true);
    }

    /** The current adaptive in-flight limit. */
    public int inFlightLimit() {
        return limit.current();
    }

    /**
     * Queues {@code text}; {@code callback} is called on the dispatcher thread when it ends, unless
     * the returned submission is cancelled first. Never blocks.
     */
    public Submission submit(String text, Callback callback) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(callback, "callback");
        Item item = new Item(text, callback, clock.getAsLong());
        try {
            loop.execute(() -> accept(item));
        } catch (RejectedExecutionException e) {
            callback.failed(new IllegalStateException("the embedding dispatcher is closed"));
        }
        return item;
    }

    /**
     * Stops the dispatcher thread; texts not yet answered are abandoned (Flink's async operator
     * waits for every record before it closes the function, so there are none in a clean stop).
     */
    @Override
    public void close() {
        loop.shutdownNow();
    }

    // ------------------------------------------------------------------ on the loop thread

    private void accept(Item item) {
        if (item.cancelled) {
            return;
        }
        if (fatal != null) {
            item.failed(fatal);
            return;
        }
        fresh.addLast(item);
        freshTokens += item.tokens;
        pump();
    }

    /** Takes a cancelled text out of the queue of texts not yet batched. */
    private void withdraw(Item item) {
        metrics.cancelled.inc();
        if (fresh.remove(item)) {
            freshTokens -= item.tokens;
        }
        // In a ready or retry batch it is dropped when the batch is next sent; in flight, its
        // answer is ignored.
    }

    /** Sends every batch that is due, within the in-flight limit and the rate caps. */
    private void pump() {
        if (fatal != null) {
            return;
        }
        while (inFlight < limit.current()) {
            long now = clock.getAsLong();
            List<Item> batch = ready.pollFirst();
            if (batch != null) {
                batch.removeIf(item -> item.cancelled);
                if (batch.isEmpty()) {
                    continue;
                }
            } else {
                if (fresh.isEmpty()) {
                    return;
                }
                boolean full =
                        fresh.size() >= config.maxBatchSize() || freshTokens >= maxBatchTokens;
                long due = fresh.peekFirst().submittedNanos + lingerNanos;
                if (!full && now - due < 0) {
                    wakeUpIn(due - now);
                    return;
                }
                batch = takeFresh();
            }
            long wait = rateWait(batch, now);
            if (wait > 0) {
                ready.addFirst(batch);
                wakeUpIn(wait);
                return;
            }
            send(batch, now);
        }
    }

    private List<Item> takeFresh() {
        List<Item> batch = new ArrayList<>();
        long tokens = 0;
        while (!fresh.isEmpty() && batch.size() < config.maxBatchSize()) {
            Item next = fresh.peekFirst();
            if (!batch.isEmpty() && tokens + next.tokens > maxBatchTokens) {
                break;
            }
            fresh.pollFirst();
            freshTokens -= next.tokens;
            tokens += next.tokens;
            batch.add(next);
        }
        return batch;
    }

    private long rateWait(List<Item> batch, long now) {
        long wait = 0;
        if (requestBucket != null) {
            wait = Math.max(wait, requestBucket.nanosUntilAvailable(1, now));
        }
        if (tokenBucket != null) {
            wait = Math.max(wait, tokenBucket.nanosUntilAvailable(tokens(batch), now));
        }
        return wait;
    }

    private void wakeUpIn(long nanos) {
        long at = clock.getAsLong() + nanos;
        if (timer != null && !timer.isDone() && timerAtNanos - at <= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAtNanos = at;
        timer =
                loop.schedule(
                        () -> {
                            timer = null;
                            pump();
                        },
                        Math.max(0, nanos),
                        TimeUnit.NANOSECONDS);
    }

    private void send(List<Item> batch, long now) {
        long tokens = tokens(batch);
        if (requestBucket != null) {
            requestBucket.take(1, now);
        }
        if (tokenBucket != null) {
            tokenBucket.take(tokens, now);
        }
        inFlight++;
        metrics.requests.inc();
        metrics.texts.inc(batch.size());
        metrics.tokens.inc(tokens);
        metrics.batchSize.update(batch.size());
        List<String> texts = new ArrayList<>(batch.size());
        for (Item item : batch) {
            texts.add(item.text);
        }
        CompletableFuture<EmbeddingResponse> response;
        try {
            response = provider.embed(texts);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenCompleteAsync((r, e) -> done(batch, now, r, e), loop);
    }

    private void done(List<Item> batch, long sentNanos, EmbeddingResponse response, Throwable e) {
        inFlight--;
        long now = clock.getAsLong();
        metrics.latencyMillis.update(TimeUnit.NANOSECONDS.toMillis(now - sentNanos));
        if (e == null && response.vectors().size() != batch.size()) {
            e =
                    failure(
                            Outcome.INVALID_RESPONSE,
                            "the service returned "
                                    + response.vectors().size()
                                    + " vectors for "
                                    + batch.size()
                                    + " texts");
        }
        if (e == null) {
            limit.onSuccess();
            deliver(batch, response);
        } else {
            // A cancelled text's record has already timed out: no retry, no split for it.
            batch.removeIf(item -> item.cancelled);
            EmbeddingException failure = asEmbeddingException(e);
            Outcome outcome = failure.outcome();
            if (outcome == Outcome.FATAL) {
                failAll(failure, batch);
            } else if (batch.isEmpty()) {
                // nothing left to retry
            } else if (outcome.splitsBatch()) {
                metrics.retried(outcome);
                if (batch.size() == 1) {
                    reject(batch.get(0), failure.getMessage());
                } else {
                    int half = batch.size() / 2;
                    ready.addFirst(new ArrayList<>(batch.subList(half, batch.size())));
                    ready.addFirst(new ArrayList<>(batch.subList(0, half)));
                }
            } else {
                if (outcome == Outcome.RETRYABLE_RATE_LIMITED) {
                    limit.onRateLimited(sentNanos, now);
                }
                retry(batch, failure, now);
            }
        }
        pump();
    }

    private void deliver(List<Item> batch, EmbeddingResponse response) {
        for (int i = 0; i < batch.size(); i++) {
            float[] vector = response.vectors().get(i);
            if (dimensions == null && vector != null && vector.length > 0) {
                dimensions = vector.length;
            }
            String problem = VectorChecks.problem(vector, dimensions == null ? 0 : dimensions);
            if (problem == null) {
                metrics.embedded.inc();
                batch.get(i).embedded(vector);
            } else {
                reject(batch.get(i), provider.describe() + ": " + problem);
            }
        }
    }

    private void retry(List<Item> batch, EmbeddingException failure, long now) {
        List<Item> again = new ArrayList<>(batch.size());
        int retryNumber = 1;
        for (Item item : batch) {
            retryNumber = Math.max(retryNumber, item.attempts);
        }
        Duration delay = backoff.delay(retryNumber, failure.retryAfter());
        long budgetNanos = config.maxRetryDuration().toNanos();
        for (Item item : batch) {
            boolean attemptsLeft = item.attempts < config.maxAttempts();
            boolean timeLeft = now + delay.toNanos() - item.submittedNanos <= budgetNanos;
            if (attemptsLeft && timeLeft) {
                item.attempts++;
                again.add(item);
            } else {
                exhausted(item, failure);
            }
        }
        if (again.isEmpty()) {
            return;
        }
        metrics.retried(failure.outcome());
        loop.schedule(
                () -> {
                    if (fatal != null) {
                        again.forEach(item -> item.failed(fatal));
                        return;
                    }
                    ready.addLast(again);
                    pump();
                },
                delay.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    private void exhausted(Item item, EmbeddingException last) {
        String reason =
                "gave up after "
                        + item.attempts
                        + " attempt(s), "
                        + Duration.ofNanos(clock.getAsLong() - item.submittedNanos).toMillis()
                        + " ms after it was submitted; last error: "
                        + last.getMessage();
        if (config.onRetriesExhausted() == RetriesExhausted.FAIL) {
            item.failed(
                    new EmbeddingException(
                            last.outcome(),
                            last.httpStatus(),
                            null,
                            last.serviceMessage(),
                            reason,
                            last));
        } else {
            reject(item, reason);
        }
    }

    private void reject(Item item, String reason) {
        if (item.cancelled) {
            return;
        }
        metrics.deadLettered.inc();
        item.callback.rejected(reason);
    }

    private void failAll(EmbeddingException failure, List<Item> batch) {
        fatal = failure;
        batch.forEach(item -> item.failed(failure));
        for (List<Item> group : ready) {
            group.forEach(item -> item.failed(failure));
        }
        ready.clear();
        fresh.forEach(item -> item.failed(failure));
        fresh.clear();
        freshTokens = 0;
    }

    private EmbeddingException asEmbeddingException(Throwable e) {
        Throwable t = EmbeddingException.unwrap(e);
        if (t instanceof EmbeddingException ee) {
            return ee;
        }
        Outcome outcome = ResponseClassifier.classify(t);
        return new EmbeddingException(
                outcome, 0, null, String.valueOf(t), provider.describe() + " failed: " + t, t);
    }

    private EmbeddingException failure(Outcome outcome, String message) {
        return new EmbeddingException(
                outcome, 0, null, message, provider.describe() + ": " + message, null);
    }

    private static long tokens(List<Item> batch) {
        long sum = 0;
        for (Item item : batch) {
            sum += item.tokens;
        }
        return sum;
    }

    /**
     * The token estimate used for batching and the token rate cap: a quarter of the UTF-8 length,
     * at least 1 (about right for English BPE and WordPiece vocabularies).
     */
    public static int estimateTokens(String text) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        return Math.max(1, (bytes + 3) / 4);
    }

    private final class Item implements Submission {
        final String text;
        final Callback callback;
        final long submittedNanos;
        final int tokens;
        int attempts = 1;
        volatile boolean cancelled;

        Item(String text, Callback callback, long submittedNanos) {
            this.text = text;
            this.callback = callback;
            this.submittedNanos = submittedNanos;
            this.tokens = estimateTokens(text);
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            try {
                loop.execute(() -> withdraw(this));
            } catch (RejectedExecutionException e) {
                // closed: nothing queued any more
            }
        }

        void embedded(float[] vector) {
            if (!cancelled) {
                callback.embedded(vector);
            }
        }

        void failed(Throwable error) {
            if (!cancelled) {
                callback.failed(error);
            }
        }
    }
}
