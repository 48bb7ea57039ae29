package dev.embedflow.bench;

import java.lang.management.ManagementFactory;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;

/** The Markdown report {@code embedflow bench} writes: machine, versions, date and the table. */
public final class BenchmarkReport {

    private BenchmarkReport() {}

    /** The report of one run, {@code sizes} named as given (e.g. {@code --quick}). */
    public static String markdown(
            BenchmarkTable table, String sizes, String openSearchVersion, ZonedDateTime date) {
        return markdown(table, sizes, openSearchVersion, date, Optional.empty());
    }

    /**
     * The report of one run with its plot, {@code plot} the PNG's path relative to the report (e.g.
     * {@code benchmarks.png}), shown under the table.
     */
    public static String markdown(
            BenchmarkTable table,
            String sizes,
            String openSearchVersion,
            ZonedDateTime date,
            Optional<String> plot) {
        long memory = physicalMemoryBytes();
        return "# EmbedFlow benchmarks\n\n"
                + "Written by `./embedflow bench"
                + (sizes.isEmpty() ? "" : " " + sizes)
                + "` on "
                + date.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                + ". Every figure below was measured in that one run; each measurement ran once"
                + " after a short warm-up.\n\n"
                + "## Machine and versions\n\n"
                + String.format(
                        Locale.ROOT,
                        "- cores: %d; memory: %s; Java %s (%s); %s %s (%s)%n",
                        Runtime.getRuntime().availableProcessors(),
                        memory > 0 ? (memory >> 20) + " MiB" : "unknown",
                        System.getProperty("java.version"),
                        System.getProperty("java.vendor"),
                        System.getProperty("os.name"),
                        System.getProperty("os.version"),
                        System.getProperty("os.arch"))
                + "- Flink "
                + EnvironmentInformation.getVersion()
                + " (MiniCluster, parallelism 1), Kafka "
                + AppInfoParser.getVersion()
                + " (KRaft, child JVM), OpenSearch "
                + openSearchVersion
                + " with k-NN (lucene engine, child process), model all-MiniLM-L6-v2 (384"
                + " dimensions, in-process ONNX behind the embedding server)\n\n"
                + "## Results\n\n"
                + table.toMarkdown()
                + "\n"
                + plot.map(png -> "![Rates and ratios of this run](" + png + ")\n\n").orElse("")
                + "- 1a: `POST /v1/embeddings` with 64 texts per request, 2 requests in flight.\n"
                + "- 1b: `_bulk` with 500 documents per request (text, entity, model and a"
                + " precomputed 384-dim random unit vector) into a fresh lucene k-NN index, no"
                + " refresh inside the timing.\n"
                + "- 2b, 2a: the real streaming job (`StreamingJob.prepare/build`) on a Flink"
                + " MiniCluster, bounded Kafka source over events published before the job"
                + " starts, `window.mode=NONE` (one document per event), timed from job"
                + " submission to the finished job (so Flink's job start-up is included). 2b embeds"
                + " with a zero-cost OpenAI-compatible stub (a fixed vector, benchmark only); 2a"
                + " with the local model behind the embedding server, whose embedding calls are"
                + " counted at the server.\n"
                + "- 4a, 4b: the batch job as `./embedflow batch --input <dir>` runs it"
                + " (`BatchJob.run`: prepare, then a local Flink MiniCluster at its default"
                + " parallelism, one per core, in BATCH mode) over a generated corpus: nine in ten"
                + " documents are product records in one JSON-lines file, one in ten a Markdown"
                + " guide of its own with two sections (two chunks). It embeds with the local model"
                + " behind the embedding server into a fresh index; each run is timed from prepare"
                + " to the job's end, so the local cluster's start (a few seconds) is included. 4b"
                + " runs again over the unchanged files: it must make no embedding call (counted at"
                + " the server, a start-up probe included) and skip every chunk, or the benchmark"
                + " fails; what it spends is reading, chunking, the `_mget` lookups of the chunk"
                + " ids (500 per request) and that start.\n"
                + "- 5a, 5b: an index of the streaming job's family is pre-filled with the number"
                + " of documents the row names (raw `_bulk`, 1,000 per request, 2 in flight, random"
                + " unit vectors), refreshed and left to finish its merges; then the streaming job"
                + " with the zero-cost embedder indexes the same new documents into it (the first"
                + " sample events, window NONE, run and timed as 2b), and the index is deleted."
                + " Everything but the index's size is the same, so the ratio shows what a larger"
                + " index costs OpenSearch (larger HNSW graphs per segment, larger merges).\n"
                + "- Caveats of 4 and 5: the batch job runs at the local default parallelism (2 on"
                + " 2 cores), so two subtasks share one embedding server and the cores with"
                + " OpenSearch; it batches as the `openai` provider does by default (up to 2,048"
                + " texts or 16,384 estimated tokens per request), so a small corpus makes few,"
                + " large requests (see the calls in 4a's note) and embedding overlaps little with"
                + " indexing; on a loaded machine such a request can outlast the 30 s request"
                + " timeout and be sent again (4a's note counts the texts the server received). 4a's"
                + " texts/s against 1a's has not been profiled yet. 5 runs the job as 2b does, its"
                + " start included; the pre-filled documents have short texts and random vectors;"
                + " the wait for merges after the pre-fill is capped at 90 s (the note says whether"
                + " they had settled: merges still running slow the measured run down).\n"
                + "- Caveats: 1b sends one bulk at a time with a fixed size, not yet tuned (bulk"
                + " size, requests in flight), so a ratio over 1b flatters EmbedFlow; 2a and 2b"
                + " include the job's start (a second or two), which weighs on short runs such as"
                + " `--quick`.\n"
                + "- RATIO is the row's rate over the named baseline's rate. Targets from issue 8:"
                + " 2b >= 0.7x 1b, 2a >= 0.8x 1a.\n\n"
                + "## Not measured yet\n\n"
                + "- 1c: Kafka produce and consume of the same events.\n"
                + "- Tumbling windows; documents/s apart from events/s; p50/p99 freshness (event"
                + " time to searchable).\n"
                + "- The peer: Flink's own `ML_PREDICT` (flink-model-openai) against the same"
                + " server.\n"
                + "- Profiles of the ratios that fall short.\n";
    }

    private static long physicalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }
}
