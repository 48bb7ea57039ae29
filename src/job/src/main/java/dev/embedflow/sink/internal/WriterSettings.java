package dev.embedflow.sink.internal;

import dev.embedflow.deadletter.DeadLetterWriter;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.annotation.Internal;

/** Everything a writer needs, validated by {@code OpenSearchSink.Builder}. */
@Internal
public record WriterSettings(
        OpenSearchConnectionConfig connection,
        String index,
        IndexSpec preflight,
        int maxActions,
        long maxBytes,
        Duration interval,
        int maxBufferedActions,
        long maxBufferedBytes,
        int maxInFlightRequests,
        Duration backoffInitial,
        Duration backoffMax,
        int maxItemRetries,
        DeadLetterWriter.Factory deadLetters)
        implements Serializable {}
