package dev.embedflow.embedding.async;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/** A ResultFuture that tests can wait on, remembering the thread that completed it. */
public final class TestResultFuture<T> implements ResultFuture<T> {

    private final CompletableFuture<Collection<T>> future = new CompletableFuture<>();
    private volatile String completedOn;

    @Override
    public void complete(Collection<T> result) {
        completedOn = Thread.currentThread().getName();
        if (!future.complete(result)) {
            throw new IllegalStateException("completed twice");
        }
    }

    @Override
    public void completeExceptionally(Throwable error) {
        completedOn = Thread.currentThread().getName();
        if (!future.completeExceptionally(error)) {
            throw new IllegalStateException("completed twice");
        }
    }

    @Override
    public void complete(CollectionSupplier<T> supplier) {
        try {
            complete(supplier.get());
        } catch (Exception e) {
            completeExceptionally(e);
        }
    }

    public boolean isDone() {
        return future.isDone();
    }

    /** The single result, waiting at most {@code timeout}. */
    public T get(Duration timeout) throws Exception {
        Collection<T> result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (result.size() != 1) {
            throw new AssertionError("expected one result, got " + result);
        }
        return result.iterator().next();
    }

    /** The failure, waiting at most {@code timeout}. */
    public Throwable failure(Duration timeout) throws Exception {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    public String completedOn() {
        return completedOn;
    }
}
