package dev.embedflow.stream;

import dev.embedflow.chunk.ChunkOptions;
import dev.embedflow.config.JobArguments;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.DeadLetterKafkaSerializer;
import dev.embedflow.deadletter.DeadLetterOptions;
import dev.embedflow.deadletter.KafkaDeadLetterWriter;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.ModelInfo;
import dev.embedflow.embedding.async.EmbeddingAsyncFunction;
import dev.embedflow.embedding.async.EmbeddingResult;
import dev.embedflow.embedding.async.EmbeddingResultSplitter;
import dev.embedflow.index.ChangeDetector;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.index.JobModel;
import dev.embedflow.index.StaleChunk;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.sink.IndexAction;
import dev.embedflow.sink.OpenSearchSink;
import dev.embedflow.source.BoundedRun;
import dev.embedflow.source.Event;
import dev.embedflow.source.KafkaEventSource;
import dev.embedflow.source.SourceOptions;
import dev.embedflow.source.SourceRecord;
import dev.embedflow.window.ContextDocument;
import dev.embedflow.window.DeleteRequest;
import dev.embedflow.window.EntityDocumentFunction;
import dev.embedflow.window.WindowOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job: Kafka events, per-entity windows rendered as documents, batched async
 * embeddings, OpenSearch k-NN upserts; every record the job cannot handle goes to the dead-letter
 * topic. See ARCHITECTURE.md for the picture.
 *
 * <p>{@link #prepare} checks everything that can be checked before a record is read (settings, the
 * embedding provider, the index); {@link #build} wires the pipeline onto an environment, with
 * stable operator uids so that checkpoints and savepoints restore.
 */
@PublicEvolving
public final class StreamingJob {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);

    /** How long the start-up probe of the embedding provider may take. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    /** Most chunks per lookup of what the index holds, and how long one waits for others. */
    static final int LOOKUP_BATCH_SIZE = 200;

    static final Duration LOOKUP_LINGER = Duration.ofMillis(20);

    private static final OutputTag<DeadLetter> SOURCE_DEAD_LETTERS =
            new OutputTag<>("source-dead-letters", TypeInformation.of(DeadLetter.class));

    private StreamingJob() {}

    /**
     * The job jar's entry point on a Flink cluster: {@code [--config FILE] [-Dkey=value ...]}, the
     * same arguments as {@code embedflow stream}.
     */
    public static void main(String[] args) throws Exception {
        run(JobArguments.parse(args).load());
    }

    /**
     * Prepares, builds and executes the job (blocking until it ends, as a streaming job rarely
     * does).
     */
    public static void run(Configuration config) throws Exception {
        Prepared prepared = prepare(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        build(env, config, prepared);
        execute(env, config, prepared);
    }

    /**
     * Executes the job {@link #build} wired onto {@code env}, blocking until it ends. A bounded run
     * that finished then commits its stopping offsets to the consumer group ({@link
     * BoundedRun#commit}), so that the next run from {@code COMMITTED} offsets starts after it; a
     * run submitted detached cannot tell when it finishes and leaves that to the connector's own
     * commit on the final checkpoint.
     */
    public static JobExecutionResult execute(
            StreamExecutionEnvironment env, Configuration config, Prepared prepared)
            throws Exception {
        JobExecutionResult result = env.execute(config.get(JOB_NAME));
        if (prepared.boundedRun().isPresent()) {
            if (result.isJobExecutionResult()) {
                prepared.boundedRun().get().commit(config);
            } else {
                LOG.info(
                        "Submitted detached: the bounded run's offsets are committed by the Kafka"
                                + " connector on its final checkpoint, best effort");
            }
        }
        return result;
    }

    /** The job's name in Flink. */
    public static final org.apache.flink.configuration.ConfigOption<String> JOB_NAME =
            org.apache.flink.configuration.ConfigOptions.key("embedflow.job-name")
                    .stringType()
                    .defaultValue("EmbedFlow streaming")
                    .withDescription("The job's name in Flink's web UI and REST API.");

    /**
     * What the job learned before start: the model, the index it writes, and where a bounded run
     * stops (empty for a job that runs until stopped).
     */
    public record Prepared(ModelInfo model, IndexSpec index, Optional<BoundedRun> boundedRun) {}

    /**
     * Validates the settings, probes the embedding provider for its model and dimension, and
     * creates or checks the index: a bad setting or a mismatched index stops the job here, before
     * it reads a record. A bounded run ({@code source.bounded}) takes its stopping offsets here.
     */
    public static Prepared prepare(Configuration config) {
        Optional<BoundedRun> boundedRun =
                config.get(SourceOptions.BOUNDED)
                        ? Optional.of(BoundedRun.resolve(config))
                        : Optional.empty();
        KafkaEventSource.fromConfiguration(config, boundedRun);
        WindowOptions.windowSpec(config);
        WindowOptions.renderer(config);
        SourceOptions.deadLetterProducerProperties(config);
        OpenSearchConnectionConfig connection =
                OpenSearchConnectionConfig.fromConfiguration(config);
        EmbeddingConfig embedding = EmbeddingConfig.fromConfiguration(config);
        ModelInfo model = JobModel.resolve(config, embedding, PROBE_TIMEOUT);
        ChunkOptions.chunker(config, model.model());
        IndexSpec index = IndexSpec.fromConfiguration(config, model.model(), model.dimensions());
        IndexManager.Outcome outcome = IndexManager.preflight(connection, index);
        LOG.info(
                "Embedding with {} ({} dimensions); index {} {} behind alias {}",
                model.model(),
                model.dimensions(),
                index.indexName(),
                outcome == IndexManager.Outcome.CREATED ? "created" : "checked",
                index.alias());
        boundedRun.ifPresent(run -> LOG.info("Bounded run: stops at {}", run));
        return new Prepared(model, index, boundedRun);
    }

    /** Wires the job onto {@code env}. */
    public static void build(
            StreamExecutionEnvironment env, Configuration config, Prepared prepared) {
        String model = prepared.model().model();
        Duration stateTtl = config.get(WindowOptions.UNCHANGED_FILTER_TTL);

        SingleOutputStreamOperator<Event> events =
                env.fromSource(
                                KafkaEventSource.fromConfiguration(config, prepared.boundedRun()),
                                KafkaEventSource.watermarks(config),
                                "kafka events")
                        .uid("kafka-source")
                        .process(new SplitSourceRecords())
                        .uid("parse")
                        .name("parse events");

        SingleOutputStreamOperator<ContextDocument> documents =
                events.keyBy(Event::getEntity)
                        .process(
                                new EntityDocumentFunction(
                                        WindowOptions.windowSpec(config),
                                        WindowOptions.renderer(config),
                                        ChunkOptions.chunker(config, model),
                                        model,
                                        stateTtl))
                        .uid("documents")
                        .name("windows to documents");

        // The index says what is already there: unchanged chunks go no further, and chunks an
        // older, longer version left behind are deleted.
        SingleOutputStreamOperator<ContextDocument> changed =
                documents
                        .transform(
                                "compare with the index",
                                TypeInformation.of(ContextDocument.class),
                                new ChangeDetector<ContextDocument>(
                                        OpenSearchConnectionConfig.fromConfiguration(config),
                                        prepared.index().indexName(),
                                        LOOKUP_BATCH_SIZE,
                                        LOOKUP_LINGER))
                        .uid("index-lookup");

        SingleOutputStreamOperator<EmbeddingResult<ContextDocument>> embedded =
                EmbeddingAsyncFunction.embed(
                        changed,
                        EmbeddingConfig.fromConfiguration(config),
                        ChunkOptions.maxTokens(config, model));
        embedded.uid("embed");
        SingleOutputStreamOperator<SequencedAction> upserts =
                embedded.process(
                                new EmbeddingResultSplitter<ContextDocument, SequencedAction>(
                                        (document, vector) -> upsert(document, vector, model)))
                        .returns(TypeInformation.of(SequencedAction.class))
                        .uid("to-upserts")
                        .name("to upserts");

        DataStream<SequencedAction> deletes =
                documents
                        .getSideOutput(EntityDocumentFunction.DELETES)
                        .map(StreamingJob::delete)
                        .returns(TypeInformation.of(SequencedAction.class))
                        .uid("to-deletes")
                        .name("to deletes")
                        .union(
                                changed.getSideOutput(ChangeDetector.STALE)
                                        .map(StreamingJob::deleteStale)
                                        .returns(TypeInformation.of(SequencedAction.class))
                                        .uid("stale-to-deletes")
                                        .name("stale chunks to deletes"));

        Map<String, String> deadLetterProducer = SourceOptions.deadLetterProducerProperties(config);
        String deadLetterTopic = config.get(DeadLetterOptions.TOPIC);
        upserts.union(deletes)
                .keyBy(SequencedAction::entity)
                .process(new LatestWinsFilter(stateTtl))
                .returns(TypeInformation.of(IndexAction.class))
                .uid("latest-wins")
                .name("latest version wins")
                .sinkTo(
                        OpenSearchSink.builder()
                                .connection(OpenSearchConnectionConfig.fromConfiguration(config))
                                .index(prepared.index())
                                .configure(config)
                                .deadLetters(
                                        KafkaDeadLetterWriter.factory(
                                                deadLetterTopic, deadLetterProducer))
                                .build())
                .uid("opensearch-sink")
                .name("opensearch");

        Properties producer = new Properties();
        producer.putAll(deadLetterProducer);
        events.getSideOutput(SOURCE_DEAD_LETTERS)
                .union(
                        documents.getSideOutput(EntityDocumentFunction.DEAD_LETTERS),
                        upserts.getSideOutput(EmbeddingResultSplitter.DEAD_LETTERS))
                .sinkTo(
                        KafkaSink.<DeadLetter>builder()
                                .setBootstrapServers(producer.getProperty("bootstrap.servers"))
                                .setKafkaProducerConfig(producer)
                                .setRecordSerializer(new DeadLetterKafkaSerializer(deadLetterTopic))
                                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                                .build())
                .uid("dead-letter-sink")
                .name("dead letters");
    }

    static SequencedAction upsert(ContextDocument document, float[] vector, String model) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("event_count", document.getEventCount());
        metadata.put("event_types", List.copyOf(document.getEventTypes()));
        metadata.put("source_topics", List.copyOf(document.getSourceTopics()));
        if (document.getNewestEventTime() > 0) {
            metadata.put(
                    "last_event_at",
                    Instant.ofEpochMilli(document.getNewestEventTime()).toString());
        }
        metadata.put("chunk", document.getChunk());
        metadata.put("chunk_count", document.getChunkCount());
        IndexAction action =
                IndexAction.upsert(document.getId())
                        .entity(document.getEntity())
                        .window(
                                Instant.ofEpochMilli(document.getWindowStart()),
                                Instant.ofEpochMilli(document.getWindowEnd()))
                        .text(document.getText())
                        .vector(vector)
                        .model(model)
                        .contentHash(document.getContentHash())
                        .metadata(metadata)
                        .origins(document.getOrigins())
                        .version(document.getSequence())
                        .newestEventTime(document.getNewestEventTime())
                        .build();
        return new SequencedAction(document.getEntity(), document.getSequence(), action);
    }

    static SequencedAction deleteStale(StaleChunk stale) {
        return new SequencedAction(
                stale.entity(),
                stale.sequence(),
                IndexAction.delete(stale.id(), List.of(), stale.sequence()));
    }

    static SequencedAction delete(DeleteRequest request) {
        List<dev.embedflow.deadletter.Origin> origins =
                request.getOrigin() == null ? List.of() : List.of(request.getOrigin());
        IndexAction action =
                request.getDocumentId() == null
                        ? IndexAction.deleteEntity(
                                request.getEntity(), origins, request.getSequence())
                        : IndexAction.delete(
                                request.getDocumentId(), origins, request.getSequence());
        return new SequencedAction(request.getEntity(), request.getSequence(), action);
    }

    /**
     * Events go on; records that could not be parsed go to the dead-letter side output. Both are
     * counted ({@code eventsParsed}, {@code recordsDeadLettered}).
     */
    static final class SplitSourceRecords extends ProcessFunction<SourceRecord, Event> {
        private static final long serialVersionUID = 1L;

        private transient Counter parsed;
        private transient Counter deadLettered;

        @Override
        public void open(OpenContext openContext) {
            parsed = getRuntimeContext().getMetricGroup().counter("eventsParsed");
            deadLettered = getRuntimeContext().getMetricGroup().counter("recordsDeadLettered");
        }

        @Override
        public void processElement(SourceRecord record, Context ctx, Collector<Event> out) {
            if (record.isEvent()) {
                parsed.inc();
                out.collect(record.getEvent());
            } else {
                deadLettered.inc();
                ctx.output(SOURCE_DEAD_LETTERS, record.getDeadLetter());
            }
        }
    }
}
