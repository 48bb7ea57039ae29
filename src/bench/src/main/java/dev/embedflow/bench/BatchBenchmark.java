package dev.embedflow.bench;

import dev.embedflow.batch.BatchJob;
import dev.embedflow.batch.BatchSummary;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.opensearch.OpenSearchConnection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;

/**
 * Item 4 of the benchmark: the batch job over a generated corpus ({@link BatchCorpus}), run twice
 * the way {@code embedflow batch --input <dir>} runs it ({@link BatchJob#run(Configuration,
 * PrintStream)}: prepare, a local Flink environment, the job), embedding with the local model
 * behind the embedding server, into the real OpenSearch. The first run embeds every chunk; the
 * re-run over the unchanged files must read no file (the file manifest) and make no embedding call
 * (counted at the server), and a re-run that reads every file must skip every chunk by its content
 * hash and make no call either, or the benchmark fails.
 */
final class BatchBenchmark {

    private static final String INDEX = "bench-batch";

    private final Path workDir;
    private final OpenSearchConnection connection;
    private final URI openSearch;
    private final URI embeddingBase;
    private final CountingEmbedder counting;
    private final Consumer<String> progress;

    /**
     * @param embeddingBase the embedding server's base URI (OpenAI-compatible)
     * @param counting the embedder behind that server, which counts its calls
     */
    BatchBenchmark(
            Path workDir,
            OpenSearchConnection connection,
            URI openSearch,
            URI embeddingBase,
            CountingEmbedder counting,
            Consumer<String> progress) {
        this.workDir = workDir;
        this.connection = connection;
        this.openSearch = openSearch;
        this.embeddingBase = embeddingBase;
        this.counting = counting;
        this.progress = progress;
    }

    /** One run of the batch job: its summary, wall-clock time and the embedding calls made. */
    record Pass(BatchSummary summary, double seconds, long calls, long texts) {}

    /**
     * Rows 4a (first run), 4b (re-run, files skipped) and 4c (re-run reading every file, chunks
     * skipped), both against 4a, over a corpus of {@code documents}.
     */
    List<BenchmarkTable.Row> run(int documents) throws Exception {
        BatchCorpus.Written corpus =
                BatchCorpus.write(workDir.resolve("batch-corpus"), documents, 42);
        Configuration config = config(corpus.dir());

        progress.accept(
                String.format(
                        Locale.ROOT,
                        "4: the batch job, first run over %d documents (%d JSON lines, %d Markdown"
                                + " files)...",
                        corpus.documents(),
                        corpus.records(),
                        corpus.guides()));
        Pass first = pass(config);
        BatchSummary done = first.summary();
        if (done.documents() != corpus.documents()
                || done.embedded() != done.chunks()
                || done.deadLettered() != 0) {
            throw new IllegalStateException(
                    "The batch benchmark's first run did not index the whole corpus ("
                            + corpus.documents()
                            + " documents):\n"
                            + done.format());
        }

        progress.accept("4: the batch job, re-run over the unchanged files...");
        Pass again = pass(config);
        BatchSummary manifest = again.summary();
        if (again.calls() != 0
                || manifest.embedded() != 0
                || manifest.documents() != 0
                || manifest.skippedFiles() == 0
                || manifest.deadLettered() != 0) {
            throw new IllegalStateException(
                    "The batch re-run over unchanged files made "
                            + again.calls()
                            + " embedding calls ("
                            + again.texts()
                            + " texts); it must make none and read no file:\n"
                            + manifest.format());
        }

        progress.accept(
                "4: the batch job, re-run reading every file (skip-unchanged-files off)...");
        Configuration readAll = config.clone();
        readAll.setString("batch.skip-unchanged-files", "false");
        Pass hashed = pass(readAll);
        BatchSummary skipped = hashed.summary();
        if (hashed.calls() != 0
                || skipped.embedded() != 0
                || skipped.unchanged() != done.chunks()
                || skipped.deadLettered() != 0) {
            throw new IllegalStateException(
                    "The batch re-run reading every file made "
                            + hashed.calls()
                            + " embedding calls ("
                            + hashed.texts()
                            + " texts); it must make none and skip all "
                            + done.chunks()
                            + " chunks:\n"
                            + skipped.format());
        }

        return List.of(
                new BenchmarkTable.Row(
                        "4a",
                        "EmbedFlow batch job, first run (local model)",
                        done.documents(),
                        "docs",
                        first.seconds(),
                        Optional.empty(),
                        String.format(
                                Locale.ROOT,
                                "%d chunks embedded (%.1f texts/s); %d embedding calls"
                                        + " with %d texts (the start-up probe and any retried"
                                        + " request included)",
                                done.embedded(),
                                done.embedded() / first.seconds(),
                                first.calls(),
                                first.texts())),
                new BenchmarkTable.Row(
                        "4b",
                        "EmbedFlow batch job, re-run over unchanged files",
                        done.documents(),
                        "docs",
                        again.seconds(),
                        Optional.of("4a"),
                        String.format(
                                Locale.ROOT,
                                "%d embedding calls; %d files not read (the file manifest:"
                                        + " same size and modification time as indexed)",
                                again.calls(),
                                manifest.skippedFiles())),
                new BenchmarkTable.Row(
                        "4c",
                        "EmbedFlow batch job, re-run reading every file",
                        skipped.documents(),
                        "docs",
                        hashed.seconds(),
                        Optional.of("4a"),
                        String.format(
                                Locale.ROOT,
                                "batch.skip-unchanged-files=false; %d embedding calls; %d chunks"
                                        + " skipped as unchanged by their content hash",
                                hashed.calls(),
                                skipped.unchanged())));
    }

    /**
     * Runs the job once, timed from the start of prepare to the end of the job, once OpenSearch
     * merges nothing.
     */
    private Pass pass(Configuration config) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Merges.awaitNone(connection, progress);
        counting.reset();
        long start = System.nanoTime();
        BatchSummary summary;
        try (PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            summary = BatchJob.run(config, out);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.accept(
                "   "
                        + summary.format().replace("\n", "\n   ")
                        + String.format(Locale.ROOT, "%n   wall clock %.1f s", seconds));
        return new Pass(summary, seconds, counting.calls(), counting.texts());
    }

    /** What {@code embedflow batch --input <corpus>} with these -D settings would run. */
    Configuration config(Path corpus) {
        Configuration config = new Configuration();
        config.setString("batch.input", corpus.toString());
        config.setString("batch.json.id-pointer", "/id");
        config.setString("batch.dead-letter-dir", workDir.resolve("batch-dead-letters").toString());
        config.setString("embedding.provider", "openai");
        config.setString("embedding.base-url", embeddingBase.toString());
        config.setString("embedding.model", LocalEmbeddingModel.MODEL_ID);
        config.setString("opensearch.hosts", openSearch.toString());
        config.setString("opensearch.index.base-name", INDEX);
        config.setString("opensearch.index.alias", INDEX);
        config.setString("opensearch.index.replicas", "0");
        // As BatchCommand does on the local MiniCluster (progress travels with heartbeats).
        config.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(2));
        return config;
    }
}
