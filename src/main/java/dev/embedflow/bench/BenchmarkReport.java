package dev.embedflow.bench;

import java.lang.management.ManagementFactory;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;

/** The Markdown report {@code embedflow bench} writes: machine, versions, date and the table. */
public final class BenchmarkReport {

    private BenchmarkReport() {}

    /** The report of one run, {@code sizes} named as given (e.g. {@code --quick}). */
    public static String markdown(
            BenchmarkTable table, String sizes, String openSearchVersion, ZonedDateTime date) {
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
                + "- Batch: a ~5,000-document corpus, first run vs re-run (no embedding calls).\n"
                + "- Growth: indexing docs/s with 10k vs 100k documents already in the index.\n"
                + "- The PNG plot, and profiles of the ratios that fall short.\n";
    }

    private static long physicalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }
}
