package dev.embedflow.sink;

import dev.embedflow.deadletter.DeadLetterWriter;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.opensearch.OpenSearchOptions;
import dev.embedflow.sink.internal.OpenSearchSinkWriter;
import dev.embedflow.sink.internal.WriterSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * A Flink sink that applies {@link IndexAction}s to an OpenSearch index with bulk requests, at
 * least once: before a checkpoint completes, every earlier action is stored in OpenSearch (or, if
 * OpenSearch cannot store it, written to the dead-letter output). With deterministic document ids,
 * a replay leaves the index as if each action had been applied once.
 *
 * <pre>{@code
 * OpenSearchSink sink = OpenSearchSink.builder()
 *         .connection(OpenSearchConnectionConfig.fromConfiguration(conf))
 *         .index(IndexSpec.fromConfiguration(conf, model, dimension)) // creates / checks it
 *         .configure(conf)                                           // opensearch.sink.* options
 *         .deadLetters(KafkaDeadLetterWriter.factory("embedflow-dead-letters", kafkaProps))
 *         .build();
 * actions.sinkTo(sink);
 * }</pre>
 */
@PublicEvolving
public final class OpenSearchSink implements Sink<IndexAction> {
    private static final long serialVersionUID = 1L;

    private final WriterSettings settings;

    private OpenSearchSink(WriterSettings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SinkWriter<IndexAction> createWriter(WriterInitContext context) throws IOException {
        try {
            return new OpenSearchSinkWriter(settings, context);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot open the OpenSearch sink writer: " + e.getMessage(), e);
        }
    }

    /** The index the sink writes to. */
    public String index() {
        return settings.index();
    }

    @Override
    public String toString() {
        return "OpenSearchSink[" + settings.index() + " on " + settings.connection() + "]";
    }

    /** Collects the sink's settings; {@link #build()} validates them. */
    public static final class Builder {
        private OpenSearchConnectionConfig connection;
        private String index;
        private IndexSpec spec;
        private int maxActions = OpenSearchOptions.BULK_MAX_ACTIONS.defaultValue();
        private MemorySize maxSize = OpenSearchOptions.BULK_MAX_SIZE.defaultValue();
        private Duration interval = OpenSearchOptions.BULK_INTERVAL.defaultValue();
        private int maxBufferedActions = OpenSearchOptions.MAX_BUFFERED_ACTIONS.defaultValue();
        private MemorySize maxBufferedSize = OpenSearchOptions.MAX_BUFFERED_SIZE.defaultValue();
        private int maxInFlight = OpenSearchOptions.BULK_MAX_IN_FLIGHT.defaultValue();
        private Duration backoffInitial = OpenSearchOptions.BACKOFF_INITIAL.defaultValue();
        private Duration backoffMax = OpenSearchOptions.BACKOFF_MAX.defaultValue();
        private int maxItemRetries = OpenSearchOptions.MAX_ITEM_RETRIES.defaultValue();
        private DeadLetterWriter.Factory deadLetters = DeadLetterWriter.failing();

        private Builder() {}

        public Builder connection(OpenSearchConnectionConfig connection) {
            this.connection = connection;
            return this;
        }

        /**
         * Writes to the index of {@code spec}; each writer creates it (with its template and alias)
         * or checks that it fits before the first record, failing on a mismatch.
         */
        public Builder index(IndexSpec spec) {
            this.spec = spec;
            this.index = spec.indexName();
            return this;
        }

        /** Writes to an existing index (or alias with a write index) without pre-flight checks. */
        public Builder index(String index) {
            this.spec = null;
            this.index = index;
            return this;
        }

        /** Reads the {@code opensearch.sink.*} options. */
        public Builder configure(Configuration conf) {
            bulkMaxActions(conf.get(OpenSearchOptions.BULK_MAX_ACTIONS));
            bulkMaxSize(conf.get(OpenSearchOptions.BULK_MAX_SIZE));
            bulkInterval(conf.get(OpenSearchOptions.BULK_INTERVAL));
            maxBufferedActions(conf.get(OpenSearchOptions.MAX_BUFFERED_ACTIONS));
            maxBufferedSize(conf.get(OpenSearchOptions.MAX_BUFFERED_SIZE));
            bulkMaxInFlight(conf.get(OpenSearchOptions.BULK_MAX_IN_FLIGHT));
            backoff(
                    conf.get(OpenSearchOptions.BACKOFF_INITIAL),
                    conf.get(OpenSearchOptions.BACKOFF_MAX));
            maxItemRetries(conf.get(OpenSearchOptions.MAX_ITEM_RETRIES));
            return this;
        }

        /** Sends a bulk request once this many actions are buffered. */
        public Builder bulkMaxActions(int maxActions) {
            this.maxActions = maxActions;
            return this;
        }

        /** Sends a bulk request once the buffered actions are this big. */
        public Builder bulkMaxSize(MemorySize maxSize) {
            this.maxSize = maxSize;
            return this;
        }

        /** Sends whatever is buffered at least this often. */
        public Builder bulkInterval(Duration interval) {
            this.interval = interval;
            return this;
        }

        /** Backpressures once this many actions are pending. */
        public Builder maxBufferedActions(int maxBufferedActions) {
            this.maxBufferedActions = maxBufferedActions;
            return this;
        }

        /** Backpressures once the pending actions take this many bytes. */
        public Builder maxBufferedSize(MemorySize maxBufferedSize) {
            this.maxBufferedSize = maxBufferedSize;
            return this;
        }

        /** Most bulk requests in flight (for versioned actions; unversioned go one at a time). */
        public Builder bulkMaxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** Retries of an item rejected as overloaded before it is dead-lettered. */
        public Builder maxItemRetries(int maxItemRetries) {
            this.maxItemRetries = maxItemRetries;
            return this;
        }

        /**
         * Where documents OpenSearch cannot store go; default: fail the job with the reason ({@link
         * DeadLetterWriter#failing()}).
         */
        public Builder deadLetters(DeadLetterWriter.Factory deadLetters) {
            this.deadLetters = deadLetters;
            return this;
        }

        public OpenSearchSink build() {
            Objects.requireNonNull(connection, "connection is required");
            Objects.requireNonNull(index, "index is required");
            Objects.requireNonNull(deadLetters, "deadLetters");
            require(maxActions >= 1, "bulk max actions must be at least 1");
            require(maxSize.getBytes() >= 1024, "bulk max size must be at least 1kb");
            require(!interval.isNegative() && !interval.isZero(), "bulk interval must be positive");
            require(
                    maxBufferedActions >= maxActions,
                    "max buffered actions ("
                            + maxBufferedActions
                            + ") must be at least the bulk max actions ("
                            + maxActions
                            + ")");
            require(
                    maxBufferedSize.getBytes() >= maxSize.getBytes(),
                    "max buffered size ("
                            + maxBufferedSize
                            + ") must be at least the bulk max size ("
                            + maxSize
                            + ")");
            require(maxInFlight >= 1, "bulk max in flight must be at least 1");
            require(
                    !backoffInitial.isNegative()
                            && !backoffInitial.isZero()
                            && backoffMax.compareTo(backoffInitial) >= 0,
                    "backoff needs 0 < initial <= max");
            require(maxItemRetries >= 0, "max item retries must not be negative");
            return new OpenSearchSink(
                    new WriterSettings(
                            connection,
                            index,
                            spec,
                            maxActions,
                            maxSize.getBytes(),
                            interval,
                            maxBufferedActions,
                            maxBufferedSize.getBytes(),
                            maxInFlight,
                            backoffInitial,
                            backoffMax,
                            maxItemRetries,
                            deadLetters));
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
