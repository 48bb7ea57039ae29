package dev.embedflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.testing.TestDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The top-level {@code ./embedflow} script, run as a user runs it, against the packaged jar. */
class LauncherITCase {

    @Test
    void helpListsEveryCommandWithOneLineOfDescription() throws Exception {
        String help = run("--help");

        List<String> lines = help.lines().toList();
        for (String command : EmbedFlowCli.newCommandLine().getSubcommands().keySet()) {
            assertThat(lines)
                    .as("a line describing '%s'", command)
                    .anyMatch(line -> line.matches("\\s+" + command + "\\s{2,}\\S.*"));
        }
    }

    @Test
    void doctorFindsFlinkKafkaOpenSearchAndTheModelOnTheLaunchersClasspath() throws Exception {
        // Runs Flink's configuration code in the launcher's JVM: a dependency missing from
        // target/lib (say, one a test-scoped declaration took away) fails here, not at the user.
        String report = run("doctor");

        assertThat(report)
                .contains("ok    Flink runtime")
                .contains("ok    Kafka broker classes")
                .contains("ok    OpenSearch distribution with k-NN")
                .contains("ok    all-MiniLM-L6-v2 tokenizer")
                .doesNotContain("FAIL");
    }

    @Test
    void versionComesFromTheJarManifest() throws Exception {
        assertThat(run("--version").strip()).matches("embedflow \\d+\\.\\d+\\.\\d+.*");
    }

    private static String run(String... args) throws IOException, InterruptedException {
        List<String> command =
                new java.util.ArrayList<>(List.of(TestDirs.project("embedflow").toString()));
        command.addAll(List.of(args));
        // stderr apart: the launcher writes notes there (for example "sources changed").
        java.io.File errors = java.io.File.createTempFile("launcher", ".err");
        errors.deleteOnExit();
        Process process =
                new ProcessBuilder(command)
                        .redirectError(ProcessBuilder.Redirect.to(errors))
                        .start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as(text + java.nio.file.Files.readString(errors.toPath()))
                .isZero();
        return text;
    }
}
