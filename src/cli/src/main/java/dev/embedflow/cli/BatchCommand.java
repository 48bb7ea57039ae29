package dev.embedflow.cli;

import dev.embedflow.batch.BatchJob;
import dev.embedflow.batch.BatchOptions;
import dev.embedflow.batch.BatchSummary;
import dev.embedflow.batch.source.DocumentFormat;
import dev.embedflow.embedding.EmbeddingOptions;
import dev.embedflow.opensearch.OpenSearchOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code embedflow batch}: runs the batch job over files or a SQL table, here on a local Flink
 * MiniCluster, or on a Flink cluster as {@link BatchJob#main}.
 */
@Command(
        name = "batch",
        mixinStandardHelpOptions = true,
        description =
                "Indexes files (JSON lines, JSON, CSV, text, Markdown, HTML, PDF) or a SQL table:"
                        + " chunks -> embeddings -> OpenSearch. Safe to re-run: unchanged chunks are"
                        + " not embedded again.",
        footer = {
            "",
            "Exit codes: 0 done (dead letters are reported, not fatal), 1 the job could not run,",
            "2 a setting is missing or wrong, 3 dead letters with --strict. Settings:",
            "FLINK_CONF_DIR/config.yaml, --config, -D; the batch.* keys in the configuration",
            "reference. Without embedding.* and opensearch.hosts it writes where `embedflow local`",
            "runs (the local model, OpenSearch on localhost:9200). Examples:",
            "  embedflow batch --input docs/ --input 'notes/**/*.md'",
            "  embedflow batch --input docs/ -Dembedding.provider=openai \\",
            "    -Dembedding.base-url=http://localhost:8090 -Dopensearch.hosts=http://search:9200",
            "  PGPASSWORD=... embedflow batch --jdbc-url jdbc:postgresql://db/shop --jdbc-user app \\",
            "    --password-env PGPASSWORD --table products -Dopensearch.hosts=http://localhost:9200"
        })
public final class BatchCommand implements Callable<Integer> {

    @Mixin SettingsMixin settings;

    /** The exit code of a run that dead-lettered something, with {@code --strict}. */
    public static final int DEAD_LETTERS_EXIT_CODE = 3;

    @Option(
            names = "--input",
            paramLabel = "PATH",
            description =
                    "A file, a directory (read recursively) or a glob such as 'docs/**/*.md',"
                            + " local or on a file system Flink has (s3://bucket/prefix/)."
                            + " Repeatable.")
    List<String> inputs = new ArrayList<>();

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "auto (by extension), jsonl, json, csv, text, markdown, html or pdf.")
    String format;

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "JDBC URL (no password in it).")
    String jdbcUrl;

    @Option(names = "--jdbc-user", paramLabel = "USER", description = "Database user.")
    String jdbcUser;

    @Option(
            names = "--password-env",
            paramLabel = "VAR",
            description = "Environment variable holding the database password.")
    String passwordEnv;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "File holding the database password.")
    String passwordFile;

    @Option(names = "--table", paramLabel = "TABLE", description = "Table to read.")
    String table;

    @Option(
            names = "--query",
            paramLabel = "SQL",
            description = "Query to read instead of a table.")
    String query;

    @Option(names = "--strict", description = "Exit with code 3 when anything was dead-lettered.")
    boolean strict;

    @Override
    public Integer call() throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        if (!inputs.isEmpty()) {
            all.put(BatchOptions.INPUT.key(), String.join(";", inputs));
        }
        if (format != null) {
            all.put(
                    BatchOptions.FORMAT.key(),
                    DocumentFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT)).name());
        }
        put(all, BatchOptions.JDBC_URL.key(), jdbcUrl);
        put(all, BatchOptions.JDBC_USER.key(), jdbcUser);
        put(all, BatchOptions.JDBC_PASSWORD_ENV.key(), passwordEnv);
        put(all, BatchOptions.JDBC_PASSWORD_FILE.key(), passwordFile);
        put(all, BatchOptions.JDBC_TABLE.key(), table);
        put(all, BatchOptions.JDBC_QUERY.key(), query);
        Configuration config = settings.load(all);
        describeDefaults(config, System.err);
        // File systems for the inputs (s3:// through the S3 plugin this command carries, with the
        // s3.* settings), for listing them here and for the local cluster that reads them.
        FileSystem.initialize(config, PluginUtils.createPluginManagerFromRootFolder(config));
        if (!config.contains(HeartbeatManagerOptions.HEARTBEAT_INTERVAL)) {
            // On the local MiniCluster, accumulators (the progress line) travel with heartbeats.
            config.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(2));
        }
        BatchSummary summary = BatchJob.run(config, System.out);
        return strict && summary.deadLettered() > 0 ? DEAD_LETTERS_EXIT_CODE : 0;
    }

    /**
     * With nothing configured, the batch job writes where {@code embedflow local} runs: the local
     * model in process ({@code embedding.provider=local}, the same all-MiniLM-L6-v2 vectors as the
     * local system's embedding server) and OpenSearch on localhost:9200 (the option's default).
     * Says what it uses, on {@code log}.
     */
    static void describeDefaults(Configuration config, java.io.PrintStream log) {
        if (config.getOptional(EmbeddingOptions.PROVIDER).isEmpty()) {
            config.set(EmbeddingOptions.PROVIDER, "local");
            log.println(
                    "Embedding with the local model ("
                            + config.getOptional(EmbeddingOptions.MODEL).orElse("all-MiniLM-L6-v2")
                            + ", in process), as embedflow"
                            + " local does; -Dembedding.provider=openai|tei|ollama and"
                            + " -Dembedding.base-url=... use a service instead.");
        }
        log.println(
                "Writing to OpenSearch at "
                        + String.join(", ", config.get(OpenSearchOptions.HOSTS))
                        + (config.getOptional(OpenSearchOptions.HOSTS).isEmpty()
                                ? " (the default; -Dopensearch.hosts=... for another)"
                                : ""));
    }

    private static void put(Map<String, String> settings, String key, String value) {
        if (value != null) {
            settings.put(key, value);
        }
    }
}
