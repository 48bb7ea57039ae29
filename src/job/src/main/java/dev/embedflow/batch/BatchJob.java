package dev.embedflow.batch;

import dev.embedflow.batch.internal.ChunkDocuments;
import dev.embedflow.batch.internal.DeadLetterReport;
import dev.embedflow.batch.internal.FileManifest;
import dev.embedflow.batch.internal.JsonLinesDeadLetterWriter;
import dev.embedflow.batch.source.FileDocumentFormat;
import dev.embedflow.batch.source.FileParsers;
import dev.embedflow.batch.source.InputPaths;
import dev.embedflow.batch.source.InputPaths.InputFile;
import dev.embedflow.batch.source.JdbcSource;
import dev.embedflow.batch.source.RecordFields;
import dev.embedflow.batch.source.SourceItem;
import dev.embedflow.chunk.ChunkOptions;
import dev.embedflow.config.JobArguments;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.DeadLetterKafkaSerializer;
import dev.embedflow.deadletter.DeadLetterOptions;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.ModelInfo;
import dev.embedflow.embedding.async.EmbeddingAsyncFunction;
import dev.embedflow.embedding.async.EmbeddingResult;
import dev.embedflow.embedding.async.EmbeddingResultSplitter;
import dev.embedflow.index.ChangeDetector;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.index.JobModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.sink.IndexAction;
import dev.embedflow.sink.OpenSearchSink;
import dev.embedflow.source.SourceOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch side job: files (JSON lines, JSON, CSV, text, Markdown, HTML, PDF) or a SQL table or
 * query, read as bounded sources in Flink's BATCH execution mode, chunked, compared with the index
 * (unchanged chunks are neither embedded nor written), embedded and upserted into the same index
 * family as the streaming job; chunks left from a longer older version of a document are deleted.
 *
 * <pre>
 * files (FileSource) | table rows (key ranges)
 *   -> documents -> chunks (paragraphs, sentences, words; Markdown sections, PDF pages)
 *   -> unchanged? (one _mget per batch of ids)  --stale tail ids--> deletes ─┐
 *   -> async embedding -> upserts ──────────────────────────────> OpenSearch sink
 * dead letters of every stage: console (path and line) + JSON-lines file (+ Kafka topic if set)
 * </pre>
 */
@PublicEvolving
public final class BatchJob {

    private static final Logger LOG = LoggerFactory.getLogger(BatchJob.class);

    /** How long the start-up probe of the embedding provider may take. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    private BatchJob() {}

    /**
     * The entry point on a Flink cluster: the same arguments as {@code embedflow batch} ({@code
     * --config}, {@code -D}, the {@link BatchOptions#FLAGS} and {@code --strict}). Fails when the
     * job could not run or, with {@code --strict}, when anything was dead-lettered.
     */
    public static void main(String[] args) throws Exception {
        JobArguments arguments =
                JobArguments.parse(args, BatchOptions.FLAGS, Set.of(BatchOptions.STRICT_SWITCH));
        BatchSummary summary = run(arguments.load(), System.out);
        if (arguments.has(BatchOptions.STRICT_SWITCH) && summary.deadLettered() > 0) {
            throw new IllegalStateException(
                    "EmbedFlow batch job dead-lettered "
                            + summary.deadLettered()
                            + " record(s) and runs with "
                            + BatchOptions.STRICT_SWITCH);
        }
    }

    /**
     * What the job learned before start.
     *
     * @param model the embedding model and its dimension
     * @param index the index written
     * @param files the input files to read, or null when reading a table
     * @param jdbc the table or query read, or null when reading files
     * @param runId this run's id (names its dead-letter files)
     * @param skippedFiles input files not read: as a previous run indexed them
     */
    public record Prepared(
            ModelInfo model,
            IndexSpec index,
            InputPaths files,
            JdbcSource jdbc,
            String runId,
            long skippedFiles) {}

    /**
     * Validates the settings, resolves the inputs (or connects to the database), probes the
     * embedding provider and creates or checks the index: a bad setting stops the job here.
     */
    public static Prepared prepare(Configuration config) {
        boolean files = config.getOptional(BatchOptions.INPUT).isPresent();
        boolean jdbc = config.getOptional(BatchOptions.JDBC_URL).isPresent();
        if (files == jdbc) {
            throw new IllegalArgumentException(
                    "Set either "
                            + BatchOptions.INPUT.key()
                            + " (files) or "
                            + BatchOptions.JDBC_URL.key()
                            + " (a table or query), not "
                            + (files ? "both" : "neither"));
        }
        InputPaths inputs = files ? InputPaths.resolve(config.get(BatchOptions.INPUT)) : null;
        if (files) {
            fileParsers(config);
        }
        JdbcSource table = jdbc ? JdbcSource.fromConfiguration(config) : null;
        EmbeddingConfig embedding = EmbeddingConfig.fromConfiguration(config);
        ModelInfo model = JobModel.resolve(config, embedding, PROBE_TIMEOUT);
        ChunkOptions.textChunker(
                config, model.model(), config.get(BatchOptions.CHUNK_OVERLAP_TOKENS));
        IndexSpec index = IndexSpec.fromConfiguration(config, model.model(), model.dimensions());
        IndexManager.Outcome outcome =
                IndexManager.preflight(OpenSearchConnectionConfig.fromConfiguration(config), index);
        LOG.info(
                "Embedding with {} ({} dimensions); index {} {}",
                model.model(),
                model.dimensions(),
                index.indexName(),
                outcome == IndexManager.Outcome.CREATED ? "created" : "checked");
        String runId =
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                                .format(ZonedDateTime.now(ZoneOffset.UTC))
                        + "-"
                        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        long skipped = 0;
        if (inputs != null && config.get(BatchOptions.SKIP_UNCHANGED_FILES)) {
            Set<String> unchanged;
            try (OpenSearchConnection connection =
                    OpenSearchConnection.open(
                            OpenSearchConnectionConfig.fromConfiguration(config))) {
                unchanged = manifest(connection, config, index).unchanged(inputs.files());
            }
            skipped = unchanged.size();
            inputs = inputs.without(unchanged);
            if (skipped > 0) {
                LOG.info(
                        "{} of {} input files are as a previous run indexed them: not read",
                        skipped,
                        skipped + inputs.count());
            }
        }
        return new Prepared(model, index, inputs, table, runId, skipped);
    }

    private static FileManifest manifest(
            OpenSearchConnection connection, Configuration config, IndexSpec index) {
        return FileManifest.of(
                connection, config.get(BatchOptions.MANIFEST_INDEX), index.indexName());
    }

    /**
     * Records the files this run read completely (no dead letter of theirs at any stage), so that
     * the next run skips them while they stay as they are.
     */
    private static void recordFiles(
            Configuration config,
            Prepared prepared,
            Map<String, Object> accumulators,
            Set<String> sinkDeadLettered) {
        if (prepared.files() == null || !config.get(BatchOptions.SKIP_UNCHANGED_FILES)) {
            return;
        }
        Set<String> deadLettered =
                new java.util.HashSet<>(
                        BatchSummary.fieldCounts(
                                        accumulators.get(BatchCounters.DEAD_LETTERED_FILES))
                                .keySet());
        deadLettered.addAll(sinkDeadLettered);
        List<InputFile> complete =
                prepared.files().files().stream()
                        .filter(f -> !deadLettered.contains(f.path()))
                        .toList();
        try (OpenSearchConnection connection =
                OpenSearchConnection.open(OpenSearchConnectionConfig.fromConfiguration(config))) {
            manifest(connection, config, prepared.index()).record(complete, prepared.runId());
        }
    }

    /** The file readers the settings describe. */
    public static FileParsers fileParsers(Configuration config) {
        String separator = config.get(BatchOptions.CSV_SEPARATOR).replace("\\t", "\t");
        if (separator.length() != 1) {
            throw new IllegalArgumentException(
                    BatchOptions.CSV_SEPARATOR.key()
                            + " must be one character, was '"
                            + separator
                            + "'");
        }
        return new FileParsers(
                config.get(BatchOptions.FORMAT),
                new RecordFields(
                        config.get(BatchOptions.JSON_ID_POINTER),
                        config.getOptional(BatchOptions.JSON_TEXT_POINTERS).orElse(List.of()),
                        config.get(BatchOptions.JSON_TITLE_POINTER),
                        config.getOptional(BatchOptions.JSON_METADATA_POINTERS).orElse(List.of())),
                new RecordFields(
                        config.get(BatchOptions.CSV_ID_COLUMN),
                        config.getOptional(BatchOptions.CSV_TEXT_COLUMNS).orElse(List.of()),
                        config.get(BatchOptions.CSV_TITLE_COLUMN),
                        List.of()),
                separator.charAt(0));
    }

    /** Wires the job onto {@code env}, in BATCH execution mode. */
    public static void build(
            StreamExecutionEnvironment env, Configuration config, Prepared prepared) {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        String model = prepared.model().model();
        OpenSearchConnectionConfig connection =
                OpenSearchConnectionConfig.fromConfiguration(config);
        String deadLetterDir = config.get(BatchOptions.DEAD_LETTER_DIR);

        DataStream<SourceItem> items;
        if (prepared.files() != null) {
            items =
                    env.fromSource(
                                    FileDocumentFormat.source(
                                            fileParsers(config),
                                            prepared.files().files().stream()
                                                    .map(InputFile::flinkPath)
                                                    .toList()),
                                    WatermarkStrategy.noWatermarks(),
                                    "files")
                            .uid("file-source");
        } else {
            items = prepared.jdbc().stream(env);
        }

        SingleOutputStreamOperator<Chunk> chunks =
                items.process(
                                new ChunkDocuments(
                                        ChunkOptions.textChunker(
                                                config,
                                                model,
                                                config.get(BatchOptions.CHUNK_OVERLAP_TOKENS)),
                                        model))
                        .uid("chunk")
                        .name("documents to chunks");

        SingleOutputStreamOperator<Chunk> changed =
                chunks.transform(
                                "skip unchanged chunks",
                                TypeInformation.of(Chunk.class),
                                new ChangeDetector<Chunk>(
                                        connection,
                                        prepared.index().indexName(),
                                        config.get(BatchOptions.LOOKUP_BATCH_SIZE),
                                        Duration.ZERO))
                        .uid("detect-changes");

        SingleOutputStreamOperator<EmbeddingResult<Chunk>> embedded =
                EmbeddingAsyncFunction.embed(
                        changed,
                        EmbeddingConfig.fromConfiguration(config),
                        ChunkOptions.maxTokens(config, model));
        embedded.uid("embed");
        SingleOutputStreamOperator<IndexAction> upserts =
                embedded.process(
                                new EmbeddingResultSplitter<Chunk, IndexAction>(
                                        (chunk, vector) -> upsert(chunk, vector, model)))
                        .returns(TypeInformation.of(IndexAction.class))
                        .uid("to-upserts")
                        .name("to upserts");

        DataStream<IndexAction> deletes =
                changed.getSideOutput(ChangeDetector.STALE)
                        .map(stale -> (IndexAction) IndexAction.delete(stale.id(), List.of()))
                        .returns(TypeInformation.of(IndexAction.class))
                        .uid("to-deletes")
                        .name("stale chunks to deletes");

        upserts.map(new CountEmbedded())
                .uid("count-embedded")
                .name("count embedded")
                .union(deletes)
                .sinkTo(
                        OpenSearchSink.builder()
                                .connection(connection)
                                .index(prepared.index())
                                .configure(config)
                                .deadLetters(
                                        JsonLinesDeadLetterWriter.factory(
                                                deadLetterDir, prepared.runId()))
                                .build())
                .uid("opensearch-sink")
                .name("opensearch");

        DataStream<DeadLetter> reported =
                chunks.getSideOutput(ChunkDocuments.DEAD_LETTERS)
                        .union(upserts.getSideOutput(EmbeddingResultSplitter.DEAD_LETTERS))
                        .process(new DeadLetterReport(deadLetterDir, prepared.runId()))
                        .uid("dead-letter-report")
                        .name("report dead letters");
        if (config.getOptional(DeadLetterOptions.BOOTSTRAP_SERVERS).isPresent()) {
            Properties producer = new Properties();
            producer.putAll(SourceOptions.deadLetterProducerProperties(config));
            reported.sinkTo(
                            KafkaSink.<DeadLetter>builder()
                                    .setBootstrapServers(producer.getProperty("bootstrap.servers"))
                                    .setKafkaProducerConfig(producer)
                                    .setRecordSerializer(
                                            new DeadLetterKafkaSerializer(
                                                    config.get(DeadLetterOptions.TOPIC)))
                                    .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                                    .build())
                    .uid("dead-letter-topic")
                    .name("dead letters to Kafka");
        } else {
            reported.sinkTo(new DiscardingSink<>())
                    .uid("dead-letter-end")
                    .name("dead letters reported");
        }
    }

    /** Prepares, builds and runs the job on the environment {@code config} describes. */
    public static BatchSummary run(Configuration config, PrintStream console) throws Exception {
        Prepared prepared = prepare(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        return run(env, config, prepared, console);
    }

    /**
     * Builds and runs the job on {@code env}, printing progress every {@code
     * batch.progress-interval} and returning the summary (also printed).
     */
    public static BatchSummary run(
            StreamExecutionEnvironment env,
            Configuration config,
            Prepared prepared,
            PrintStream console)
            throws Exception {
        long start = System.nanoTime();
        InputPaths files = prepared.files();
        if (files != null && files.count() == 0) {
            BatchSummary nothing =
                    BatchSummary.of(
                            Map.of(),
                            0,
                            Duration.ofNanos(System.nanoTime() - start),
                            prepared.skippedFiles());
            console.println(
                    "Nothing to read: all "
                            + prepared.skippedFiles()
                            + " input files are as a previous run indexed them into "
                            + prepared.index().indexName()
                            + " (-D"
                            + BatchOptions.SKIP_UNCHANGED_FILES.key()
                            + "=false reads them again).");
            console.println(nothing.format());
            return nothing;
        }
        build(env, config, prepared);
        BatchProgress progress =
                new BatchProgress(
                        console,
                        files == null ? 0 : files.count(),
                        files == null ? 0 : files.bytes());
        console.println(
                "Reading "
                        + (files == null
                                ? prepared.jdbc().describe()
                                : files.count()
                                        + " files ("
                                        + BatchProgress.bytes(files.bytes())
                                        + ")"
                                        + (prepared.skippedFiles() > 0
                                                ? ", skipping "
                                                        + prepared.skippedFiles()
                                                        + " unchanged,"
                                                : ""))
                        + " into index "
                        + prepared.index().indexName()
                        + " with "
                        + prepared.model().model());
        JobClient client = env.executeAsync(config.get(BatchOptions.JOB_NAME));
        CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
        long interval = config.get(BatchOptions.PROGRESS_INTERVAL).toMillis();
        while (true) {
            try {
                result.get(interval, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException running) {
                try {
                    progress.report(client.getAccumulators().get(interval, TimeUnit.MILLISECONDS));
                } catch (Exception notYet) {
                    LOG.debug("No accumulators yet", notYet);
                }
            }
        }
        Map<String, Object> accumulators = result.get().getAllAccumulatorResults();
        progress.report(accumulators);
        SinkDeadLetters sink =
                sinkDeadLetters(config.get(BatchOptions.DEAD_LETTER_DIR), prepared.runId());
        BatchSummary summary =
                BatchSummary.of(
                        accumulators,
                        sink.count(),
                        Duration.ofNanos(System.nanoTime() - start),
                        prepared.skippedFiles());
        recordFiles(config, prepared, accumulators, sink.paths());
        console.println(summary.format());
        if (summary.deadLettered() > 0) {
            console.println(
                    "Dead letters are in "
                            + java.nio.file.Path.of(config.get(BatchOptions.DEAD_LETTER_DIR))
                                    .toAbsolutePath()
                            + "/"
                            + JsonLinesDeadLetterWriter.filePrefix(prepared.runId())
                            + "*.jsonl");
        }
        return summary;
    }

    /** The sink's dead letters of a run: how many, and the input files they came from. */
    private record SinkDeadLetters(long count, Set<String> paths) {}

    /**
     * The run's sink dead-letter files (documents OpenSearch rejected), when local: their lines and
     * the input files named in their origins.
     */
    private static SinkDeadLetters sinkDeadLetters(String dir, String runId) {
        java.nio.file.Path path = java.nio.file.Path.of(dir);
        if (!Files.isDirectory(path)) {
            return new SinkDeadLetters(0, Set.of());
        }
        String prefix = JsonLinesDeadLetterWriter.filePrefix(runId) + "sink-";
        Set<String> paths = new java.util.HashSet<>();
        try (Stream<java.nio.file.Path> list = Files.list(path)) {
            long lines = 0;
            for (java.nio.file.Path file :
                    list.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                for (String line : Files.readAllLines(file)) {
                    lines++;
                    JsonLinesDeadLetterWriter.originPaths(line).forEach(paths::add);
                }
            }
            return new SinkDeadLetters(lines, paths);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not count the dead letters in " + dir, e);
        }
    }

    static IndexAction upsert(Chunk chunk, float[] vector, String model) {
        return IndexAction.upsert(chunk.id())
                .entity(chunk.parentId())
                .text(chunk.text())
                .vector(vector)
                .model(model)
                .contentHash(chunk.contentHash())
                .metadata(chunk.metadata())
                .origins(chunk.origins())
                .build();
    }

    /** Counts the chunks embedded ({@link BatchCounters#EMBEDDED}). */
    private static final class CountEmbedded extends RichMapFunction<IndexAction, IndexAction> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter embedded;

        @Override
        public void open(OpenContext openContext) {
            embedded = new LongCounter();
            getRuntimeContext().addAccumulator(BatchCounters.EMBEDDED, embedded);
        }

        @Override
        public IndexAction map(IndexAction action) {
            embedded.add(1);
            return action;
        }
    }
}
