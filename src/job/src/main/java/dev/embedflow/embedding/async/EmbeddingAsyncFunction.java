package dev.embedflow.embedding.async;

import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Stage;
import dev.embedflow.embedding.Embeddable;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.RetriesExhausted;
import dev.embedflow.embedding.internal.BatchDispatcher;
import dev.embedflow.embedding.provider.EmbeddingProviders;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Embeds records with Flink async I/O, many records per request. {@link #asyncInvoke} only hands
 * the record's text to a {@link BatchDispatcher} and returns: batching (size, token budget,
 * linger), the in-flight limit (adaptive, AIMD), rate caps, retries with backoff and Retry-After,
 * splitting a rejected batch down to the text at fault, and response checks all happen off the task
 * thread, and every record's {@link ResultFuture} is completed from there.
 *
 * <p>Each record gets exactly one {@link EmbeddingResult}: its vector, or a {@link DeadLetter}
 * (stage {@link Stage#EMBEDDING}, the provider's reason, the record's origins and id, its text as
 * payload). Fatal errors (bad key, unknown model, wrong URL) and, if so configured, spent retries
 * fail the record's future and so the job; the message names provider, URL and model.
 *
 * <p>Wire it with {@link #embed(DataStream, EmbeddingConfig)}, which sets the async operator's
 * timeout and capacity from the configuration, then split with {@link EmbeddingResultSplitter}.
 *
 * @param <IN> the record type
 */
@PublicEvolving
public final class EmbeddingAsyncFunction<IN extends Embeddable>
        extends RichAsyncFunction<IN, EmbeddingResult<IN>> {
    private static final long serialVersionUID = 1L;

    private final EmbeddingConfig config;
    private transient EmbeddingProvider provider;
    private transient BatchDispatcher dispatcher;

    /** Texts still with the dispatcher, by the record's result future (identity: no equals). */
    private transient Map<ResultFuture<?>, AtomicReference<BatchDispatcher.Submission>> pending;

    public EmbeddingAsyncFunction(EmbeddingConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * {@code records} embedded, unordered, with the async operator's timeout and capacity taken
     * from {@code config} ({@link EmbeddingConfig#asyncTimeout()}, {@link
     * EmbeddingConfig#asyncCapacity(int, int)} for texts of about {@code tokensPerText} tokens).
     */
    public static <IN extends Embeddable> SingleOutputStreamOperator<EmbeddingResult<IN>> embed(
            DataStream<IN> records, EmbeddingConfig config, int tokensPerText) {
        int parallelism =
                records.getParallelism() > 0
                        ? records.getParallelism()
                        : records.getExecutionEnvironment().getParallelism();
        return AsyncDataStream.unorderedWait(
                        records,
                        new EmbeddingAsyncFunction<IN>(config),
                        config.asyncTimeout().toMillis(),
                        TimeUnit.MILLISECONDS,
                        config.asyncCapacity(tokensPerText, parallelism))
                .returns(resultType(records.getType()))
                .name("embed (" + config.provider() + ")");
    }

    /**
     * The type information of {@code EmbeddingResult<IN>}: a POJO of the record (with {@code
     * inputType}'s serializer), the vector and the dead letter; no Kryo.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <IN> TypeInformation<EmbeddingResult<IN>> resultType(
            TypeInformation<IN> inputType) {
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        fields.put("input", inputType);
        fields.put("vector", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        fields.put("deadLetter", TypeInformation.of(DeadLetter.class));
        return (TypeInformation) Types.POJO(EmbeddingResult.class, fields);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        pending = new ConcurrentHashMap<>();
        provider = EmbeddingProviders.create(config);
        provider.open();
        dispatcher =
                new BatchDispatcher(
                        config,
                        provider,
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                        getRuntimeContext().getMetricGroup().addGroup("embedding"));
    }

    @Override
    public void asyncInvoke(IN record, ResultFuture<EmbeddingResult<IN>> resultFuture) {
        // In the map before the submit: the answer may come back before submit returns.
        AtomicReference<BatchDispatcher.Submission> submission = new AtomicReference<>();
        pending.put(resultFuture, submission);
        submission.set(
                dispatcher.submit(
                        record.text(),
                        new BatchDispatcher.Callback() {
                            @Override
                            public void embedded(float[] vector) {
                                pending.remove(resultFuture);
                                resultFuture.complete(
                                        List.of(EmbeddingResult.embedded(record, vector)));
                            }

                            @Override
                            public void rejected(String reason) {
                                pending.remove(resultFuture);
                                resultFuture.complete(List.of(deadLettered(record, reason)));
                            }

                            @Override
                            public void failed(Throwable error) {
                                pending.remove(resultFuture);
                                resultFuture.completeExceptionally(error);
                            }
                        }));
    }

    /** Texts submitted whose record is still waiting for them. */
    int pendingTexts() {
        return pending.size();
    }

    /**
     * Flink's own timeout for a record (a safety net: it is longer than the retry budget, which
     * also counts from {@code asyncInvoke}). The text is withdrawn from the dispatcher, so it is
     * neither sent nor retried any more, and the record is dead-lettered, or the job fails if
     * configured to fail on spent retries.
     */
    @Override
    public void timeout(IN record, ResultFuture<EmbeddingResult<IN>> resultFuture) {
        AtomicReference<BatchDispatcher.Submission> submission = pending.remove(resultFuture);
        if (submission != null && submission.get() != null) {
            submission.get().cancel();
        }
        String reason =
                "no embedding from "
                        + (provider == null ? config.provider() : provider.describe())
                        + " within the async operator timeout of "
                        + config.asyncTimeout();
        if (config.onRetriesExhausted() == RetriesExhausted.FAIL) {
            resultFuture.completeExceptionally(new TimeoutException(reason));
        } else {
            resultFuture.complete(List.of(deadLettered(record, reason)));
        }
    }

    private static <IN extends Embeddable> EmbeddingResult<IN> deadLettered(
            IN record, String reason) {
        return EmbeddingResult.deadLettered(
                record,
                DeadLetter.of(
                        Stage.EMBEDDING,
                        reason,
                        record.origins(),
                        record.documentId(),
                        record.text().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() throws Exception {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (provider != null) {
            provider.close();
        }
    }
}
