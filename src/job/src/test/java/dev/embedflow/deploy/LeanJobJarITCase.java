package dev.embedflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lean job jar ({@code embedflow-job-<version>-flink.jar}) that a platform team uploads to a
 * Flink 2.2 cluster: connector-sized, no tooling, no model, and it runs on Flink's own jars alone.
 */
class LeanJobJarITCase extends JobJarContract {

    /** The target for the jar without the model. */
    static final long MAX_BYTES = 40_000_000L;

    @Test
    void staysUnderFortyMegabytes() throws IOException {
        assertThat(jar.size()).as("the lean job jar's bytes").isLessThanOrEqualTo(MAX_BYTES);
    }

    @Test
    void holdsNoToolingNoModelAndNoAwsSdk() {
        List<String> forbidden =
                List.of(
                        "picocli/",
                        "org/knowm/",
                        "dev/embedflow/bench/",
                        "dev/embedflow/cli/",
                        "dev/embedflow/local/",
                        "dev/embedflow/devserver/",
                        "dev/embedflow/model/",
                        "ai/onnxruntime/",
                        "ai/djl/",
                        "com/sun/jna/",
                        "all-minilm-l6-v2",
                        "kafka/server/",
                        "org/apache/kafka/raft/",
                        "org/apache/kafka/controller/",
                        "scala/",
                        "software/amazon/");
        for (String prefix : forbidden) {
            assertThat(jar.entries()).as(prefix).noneMatch(e -> e.startsWith(prefix));
        }
    }

    @Test
    void mainRunsWithoutTheCliAndSaysTheModelIsMissingForTheLocalProvider() throws Exception {
        Run run = runStreamingJob("-Dembedding.provider=local");

        assertThat(run.exit).isNotZero();
        assertThat(run.output)
                .contains("embedding.provider=local")
                .contains("job jar with the model")
                .doesNotContain("picocli");
    }

    @Test
    void mainRefusesAwsSigV4WithoutTheAwsSdkNamingTheJarToAdd() throws Exception {
        Run run =
                runStreamingJob(
                        "-Dembedding.provider=openai",
                        "-Dembedding.base-url=http://127.0.0.1:9",
                        "-Dopensearch.hosts=https://search-domain.eu-west-1.es.amazonaws.com",
                        "-Dopensearch.auth.type=AWS_SIGV4",
                        "-Dopensearch.aws.region=eu-west-1");

        assertThat(run.exit).isNotZero();
        assertThat(run.output).contains("AWS SigV4 needs the AWS SDK").contains("-aws-sdk.jar");
    }

    private record Run(int exit, String output) {}

    /** The jar's entry point on Flink's own jars only, as a cluster's class path has it. */
    private Run runStreamingJob(String... settings) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(
                jar.path()
                        + java.io.File.pathSeparator
                        + ShadedJobJar.flinkLib().toAbsolutePath()
                        + "/*");
        command.add("dev.embedflow.stream.StreamingJob");
        command.add("-Dsource.bootstrap-servers=127.0.0.1:9");
        command.add("-Dsource.topics=events");
        command.addAll(List.of(settings));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("FLINK_CONF_DIR");
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
