package dev.embedflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EmbedFlowCliTest {

    @Test
    void helpListsServeEmbeddingsWithAOneLineDescription() {
        StringWriter out = new StringWriter();
        CommandLine cli = EmbedFlowCli.newCommandLine();
        cli.setOut(new PrintWriter(out));

        int exit = cli.execute("--help");

        assertThat(exit).isZero();
        assertThat(out.toString())
                .containsPattern(
                        "(?m)^\\s+serve-embeddings\\s+Serves all-MiniLM-L6-v2 over the OpenAI"
                                + " embeddings API\\.$");
    }

    @Test
    void serveEmbeddingsHelpDocumentsItsOptions() {
        StringWriter out = new StringWriter();
        CommandLine cli = EmbedFlowCli.newCommandLine();
        cli.setOut(new PrintWriter(out));

        int exit = cli.execute("serve-embeddings", "--help");

        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("--port=<port>")
                .contains("default: 8090")
                .contains("--host=<host>")
                .contains("default: 127.0.0.1")
                .contains("--api-key-env=VAR")
                .contains("EMBEDFLOW_SERVER_API_KEY");
    }

    @Test
    void aConfigurationErrorIsOneLineNamingTheKeyWithExitCode2AndNoStackTrace(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("a.txt"), "some text");
        StringWriter err = new StringWriter();
        CommandLine cli = EmbedFlowCli.newCommandLine();
        cli.setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "batch",
                        "--input",
                        dir.resolve("a.txt").toString(),
                        "-Dembedding.provider=openai");

        assertThat(exit).isEqualTo(EmbedFlowCli.CONFIGURATION_ERROR);
        assertThat(err.toString())
                .startsWith("Configuration error: ")
                .contains("embedding.base-url")
                .contains("--verbose")
                .doesNotContain("\tat ");

        StringWriter verbose = new StringWriter();
        CommandLine again = EmbedFlowCli.newCommandLine();
        again.setErr(new PrintWriter(verbose));
        again.execute(
                "batch",
                "--verbose",
                "--input",
                dir.resolve("a.txt").toString(),
                "-Dembedding.provider=openai");
        assertThat(verbose.toString()).contains("IllegalConfigurationException").contains("\tat ");
    }

    @Test
    void withNothingConfiguredTheBatchJobWritesWhereTheLocalSystemRuns() {
        org.apache.flink.configuration.Configuration config =
                new org.apache.flink.configuration.Configuration();
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();

        BatchCommand.describeDefaults(config, new java.io.PrintStream(log, true));

        assertThat(config.get(dev.embedflow.embedding.EmbeddingOptions.PROVIDER))
                .isEqualTo("local");
        assertThat(log.toString())
                .contains("local model (all-MiniLM-L6-v2")
                .contains("OpenSearch at http://localhost:9200 (the default");

        org.apache.flink.configuration.Configuration given =
                new org.apache.flink.configuration.Configuration();
        given.setString("embedding.provider", "tei");
        given.setString("opensearch.hosts", "http://search:9200");
        log.reset();
        BatchCommand.describeDefaults(given, new java.io.PrintStream(log, true));
        assertThat(given.get(dev.embedflow.embedding.EmbeddingOptions.PROVIDER)).isEqualTo("tei");
        assertThat(log.toString()).isEqualTo("Writing to OpenSearch at http://search:9200\n");
    }

    @Test
    void withNothingConfiguredTheStreamingJobReadsAndWritesWhereTheLocalSystemRuns() {
        org.apache.flink.configuration.Configuration config =
                new org.apache.flink.configuration.Configuration();
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();

        StreamCommand.describeDefaults(config, new java.io.PrintStream(log, true));

        assertThat(config.get(dev.embedflow.source.SourceOptions.BOOTSTRAP_SERVERS))
                .isEqualTo("localhost:9092");
        assertThat(config.get(dev.embedflow.source.SourceOptions.TOPICS)).containsExactly("events");
        assertThat(config.get(dev.embedflow.embedding.EmbeddingOptions.PROVIDER))
                .isEqualTo("local");
        assertThat(log.toString())
                .contains("Kafka at localhost:9092")
                .contains("topic events")
                .contains("OpenSearch at http://localhost:9200");
    }
}
