package dev.embedflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OpenSearchCommandsTest {

    @Test
    void searchAndIndexCommandsDescribeTheirOptions() {
        assertThat(run("search", "--help")).contains("--k", "--filter", "--hybrid", "--json");
        assertThat(run("index", "create", "--help")).contains("--model", "--dimension", "--engine");
        assertThat(run("index", "promote", "--help")).contains("--min-ratio", "--force");
        assertThat(run("index", "status", "--help")).contains("--alias");
    }

    @Test
    void anUnreachableClusterIsExplainedWithoutAStackTrace() {
        StringWriter err = new StringWriter();
        CommandLine cli = EmbedFlowCli.newCommandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));

        int code = cli.execute("index", "status", "--opensearch", "http://127.0.0.1:1");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("Error: cannot connect to OpenSearch at [http://127.0.0.1:1]")
                .doesNotContain("\tat ");
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = EmbedFlowCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute(args)).isZero();
        return out.toString();
    }
}
