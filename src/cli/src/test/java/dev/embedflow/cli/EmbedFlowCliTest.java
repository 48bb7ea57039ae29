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
}
