package dev.embedflow.batch;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.embedflow.batch.source.DocumentFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;

/** The batch job's settings ({@code batch.*}), as typed Flink options. */
@PublicEvolving
public final class BatchOptions {

    private BatchOptions() {}

    // ------------------------------------------------------------------ files

    public static final ConfigOption<List<String>> INPUT =
            key("batch.input")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Files, directories (read recursively; hidden files skipped) or globs"
                                    + " (e.g. docs/**/*.md, expanded on the machine that starts the"
                                    + " job) to read. Any Flink file system URI works (s3://...,"
                                    + " hdfs://...) without globs.");

    public static final ConfigOption<DocumentFormat> FORMAT =
            key("batch.format")
                    .enumType(DocumentFormat.class)
                    .defaultValue(DocumentFormat.AUTO)
                    .withDescription(
                            "How files are read: AUTO (by extension: .jsonl/.ndjson, .json, .csv,"
                                    + " .txt, .md, .html/.htm, .pdf), JSONL, JSON, CSV, TEXT,"
                                    + " MARKDOWN, HTML or PDF.");

    public static final ConfigOption<String> JSON_ID_POINTER =
            key("batch.json.id-pointer")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JSON pointer of a record's id (document id <path>:<id>). Unset: /id"
                                    + " when the record has it, else the line (JSON lines) or"
                                    + " array position (JSON).");

    public static final ConfigOption<List<String>> JSON_TEXT_POINTERS =
            key("batch.json.text-pointers")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "JSON pointers of the fields whose values are a record's text, joined"
                                    + " by blank lines. Unset: /text when the record has it, else"
                                    + " every top-level field holding text (not a number or"
                                    + " boolean) but the id. A record with no text is"
                                    + " dead-lettered.");

    public static final ConfigOption<String> JSON_TITLE_POINTER =
            key("batch.json.title-pointer")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JSON pointer of a record's title (metadata.title). Unset: /title,"
                                    + " else /name.");

    public static final ConfigOption<List<String>> JSON_METADATA_POINTERS =
            key("batch.json.metadata-pointers")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "JSON pointers of the fields kept as metadata (named by their last"
                                    + " segment); by default every other top-level scalar field.");

    public static final ConfigOption<String> CSV_ID_COLUMN =
            key("batch.csv.id-column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "CSV column holding a row's id (document id <path>:<id>). Unset: the"
                                    + " column id when there is one, else the line number.");

    public static final ConfigOption<List<String>> CSV_TEXT_COLUMNS =
            key("batch.csv.text-columns")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "CSV columns whose values are a row's text; the other columns become"
                                    + " metadata. Unset: the column text when there is one, else"
                                    + " every column holding text (not a number or boolean) but"
                                    + " the id. The run's summary names the fields it used.");

    public static final ConfigOption<String> CSV_TITLE_COLUMN =
            key("batch.csv.title-column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "CSV column holding a row's title (metadata.title). Unset: title,"
                                    + " else name.");

    public static final ConfigOption<String> CSV_SEPARATOR =
            key("batch.csv.separator")
                    .stringType()
                    .defaultValue(",")
                    .withDescription("CSV field separator: one character (\\t for tabs).");

    // ------------------------------------------------------------------ JDBC

    public static final ConfigOption<String> JDBC_URL =
            key("batch.jdbc.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JDBC URL of the database to read (PostgreSQL driver included), e.g."
                                    + " jdbc:postgresql://db:5432/shop. Put no password in it.");

    public static final ConfigOption<String> JDBC_USER =
            key("batch.jdbc.user").stringType().noDefaultValue().withDescription("Database user.");

    public static final ConfigOption<String> JDBC_PASSWORD_ENV =
            key("batch.jdbc.password-env")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Name of the environment variable holding the database password (read"
                                    + " where the job runs, never logged).");

    public static final ConfigOption<String> JDBC_PASSWORD_FILE =
            key("batch.jdbc.password-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "File holding the database password (e.g. a mounted Kubernetes"
                                    + " secret), read where the job runs.");

    public static final ConfigOption<String> JDBC_TABLE =
            key("batch.jdbc.table")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Table to read, one document per row, its primary key as id"
                                    + " (<table>:<key>). Read in parallel by key ranges when the key"
                                    + " is one integer column.");

    public static final ConfigOption<String> JDBC_QUERY =
            key("batch.jdbc.query")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "SQL query to read instead of a table, one document per row (id from"
                                    + " batch.jdbc.key-column).");

    public static final ConfigOption<String> JDBC_KEY_COLUMN =
            key("batch.jdbc.key-column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Column identifying a row; by default the table's primary key."
                                    + " Required with batch.jdbc.query.");

    public static final ConfigOption<List<String>> JDBC_TEXT_COLUMNS =
            key("batch.jdbc.text-columns")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Columns whose values are a row's text; the others become metadata. By"
                                    + " default every text (character) column but the key.");

    public static final ConfigOption<String> JDBC_TITLE_COLUMN =
            key("batch.jdbc.title-column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Column holding a row's title (metadata.title).");

    public static final ConfigOption<Integer> JDBC_FETCH_SIZE =
            key("batch.jdbc.fetch-size")
                    .intType()
                    .defaultValue(500)
                    .withDescription("Rows fetched per round trip (the result is streamed).");

    // ------------------------------------------------------------------ the run

    public static final ConfigOption<Integer> CHUNK_OVERLAP_TOKENS =
            key("batch.chunk.overlap-tokens")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Tokens a chunk repeats from the end of the one before (whole"
                                    + " sentences or words), under half of chunk.max-tokens.");

    public static final ConfigOption<Integer> LOOKUP_BATCH_SIZE =
            key("batch.lookup-batch-size")
                    .intType()
                    .defaultValue(500)
                    .withDescription(
                            "Chunk ids looked up in the index per request (one _mget) to skip"
                                    + " unchanged chunks and find stale ones.");

    public static final ConfigOption<Boolean> SKIP_UNCHANGED_FILES =
            key("batch.skip-unchanged-files")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Skip input files a previous run indexed completely (no dead letter)"
                                    + " into the same index and that have the same size and"
                                    + " modification time now: they are not read at all. False"
                                    + " reads every file (unchanged chunks are still not"
                                    + " re-embedded).");

    public static final ConfigOption<String> MANIFEST_INDEX =
            key("batch.manifest-index")
                    .stringType()
                    .defaultValue("embedflow-batch-files")
                    .withDescription(
                            "OpenSearch index recording the files each index holds completely"
                                    + " (path, size, modification time, run), for"
                                    + " batch.skip-unchanged-files.");

    public static final ConfigOption<String> DEAD_LETTER_DIR =
            key("batch.dead-letter-dir")
                    .stringType()
                    .defaultValue("embedflow-dead-letters")
                    .withDescription(
                            "Directory of the JSON-lines dead-letter files (one file per run and"
                                    + " task: dead-letters-<run>-<task>.jsonl). Every dead letter is"
                                    + " also printed with its path and line.");

    public static final ConfigOption<Duration> PROGRESS_INTERVAL =
            key("batch.progress-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("How often progress is printed while the job runs.");

    public static final ConfigOption<String> JOB_NAME =
            key("batch.job-name")
                    .stringType()
                    .defaultValue("EmbedFlow batch")
                    .withDescription("The batch job's name in Flink's web UI and REST API.");

    /**
     * The command-line flags of the batch job's entry point ({@link BatchJob#main}) and of {@code
     * embedflow batch}, and the keys they set; {@code --input} may repeat.
     */
    public static final Map<String, String> FLAGS =
            Map.of(
                    "--input", INPUT.key(),
                    "--format", FORMAT.key(),
                    "--jdbc-url", JDBC_URL.key(),
                    "--jdbc-user", JDBC_USER.key(),
                    "--password-env", JDBC_PASSWORD_ENV.key(),
                    "--password-file", JDBC_PASSWORD_FILE.key(),
                    "--table", JDBC_TABLE.key(),
                    "--query", JDBC_QUERY.key());

    /** The switch that fails a run which dead-lettered anything. */
    public static final String STRICT_SWITCH = "--strict";
}
