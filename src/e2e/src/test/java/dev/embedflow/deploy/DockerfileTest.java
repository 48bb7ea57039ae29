package dev.embedflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.testing.TestDirs;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/Dockerfile (the job) and docker/Dockerfile.qa (the Q&A service): linted by dockerfilelint
 * (npm, installed under target/npm; there is no Docker engine here to build them) and checked for
 * what the chart relies on.
 */
class DockerfileTest {

    private static final Path DOCKERFILE = TestDirs.project("docker/Dockerfile");
    private static final Path QA_DOCKERFILE = TestDirs.project("docker/Dockerfile.qa");
    private static final String DOCKERFILELINT_VERSION = "1.8.0";
    private static final Path NPM_PREFIX = Path.of("target/npm");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> lines;
    private static List<String> qaLines;

    @BeforeAll
    static void read() throws IOException {
        lines = Files.readAllLines(DOCKERFILE, StandardCharsets.UTF_8);
        qaLines = Files.readAllLines(QA_DOCKERFILE, StandardCharsets.UTF_8);
    }

    @Test
    void dockerfilelintFindsNoIssue() throws Exception {
        JsonNode report = lint(DOCKERFILE);
        assertThat(report.get("totalIssues").asInt()).as(report.toPrettyString()).isZero();
    }

    @Test
    void dockerfilelintFindsNoIssueInTheQaImage() throws Exception {
        JsonNode report = lint(QA_DOCKERFILE);
        assertThat(report.get("totalIssues").asInt()).as(report.toPrettyString()).isZero();
    }

    @Test
    void theQaImageRunsTheShippedClassPathOnAJreAsAnUnprivilegedUserWithNoSecret() {
        assertThat(instructions(qaLines, "FROM")).containsExactly("eclipse-temurin:17-jre");
        assertThat(instructions(qaLines, "COPY"))
                .containsExactly(
                        "src/qa/target/service-lib/ /opt/embedflow-qa/lib/",
                        "src/qa/target/embedflow-qa-*.jar /opt/embedflow-qa/lib/");
        assertThat(instructions(qaLines, "ENTRYPOINT").get(0))
                .contains("\"/opt/embedflow-qa/lib/*\"", "\"dev.embedflow.qa.QaMain\"");
        assertThat(instructions(qaLines, "CMD").get(0))
                .contains("/opt/embedflow-qa/conf/config.yaml");
        assertThat(instructions(qaLines, "EXPOSE")).containsExactly("8080");
        List<String> users = instructions(qaLines, "USER");
        assertThat(users.get(users.size() - 1)).isEqualTo("embedflow");
        Pattern secret = Pattern.compile("(?i)(key|secret|password|token|credential)\\w*=");
        assertThat(instructions(qaLines, "ENV")).noneMatch(env -> secret.matcher(env).find());
    }

    @Test
    void theLinterReportsABadDockerfile(@TempDir Path dir) throws Exception {
        // So that a passing lint means something: the same linter flags a careless file.
        Path bad = dir.resolve("Dockerfile");
        Files.writeString(bad, "FROM flink:latest\nRUN apt-get install curl\n");
        assertThat(lint(bad).get("totalIssues").asInt()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void buildsOnTheOfficialFlinkImageOfTheJobsFlinkVersionWithJava17() {
        List<String> from = instructions("FROM");
        assertThat(from).hasSize(1);
        String flinkVersion = org.apache.flink.runtime.util.EnvironmentInformation.getVersion();
        assertThat(from.get(0)).isEqualTo("flink:" + flinkVersion + "-java17");
    }

    @Test
    void theJobJarGoesToUsrlibAtThePathTheChartNamesAndTheAwsSdkToLib() throws Exception {
        assertThat(instructions("ARG"))
                .containsExactly("JOB_JAR=src/job/target/embedflow-job-*-flink.jar");
        assertThat(instructions("COPY"))
                .containsExactly(
                        "--chown=flink:flink ${JOB_JAR} /opt/flink/usrlib/embedflow.jar",
                        "--chown=flink:flink src/job/target/embedflow-job-*-aws-sdk.jar"
                                + " /opt/flink/lib/embedflow-aws-sdk.jar",
                        "--chown=flink:flink flink-conf/config.yaml /opt/flink/conf/config.yaml");
        String values = Files.readString(TestDirs.project("helm/embedflow/values.yaml"));
        assertThat(values).contains("local:///opt/flink/usrlib/embedflow.jar");
    }

    @Test
    void runsAsFlinkWithNoSecretInTheImage() {
        List<String> users = instructions("USER");
        assertThat(users).isNotEmpty();
        assertThat(users.get(users.size() - 1)).isEqualTo("flink");
        Pattern secret = Pattern.compile("(?i)(key|secret|password|token|credential)");
        assertThat(instructions("ENV")).noneMatch(env -> secret.matcher(env).find());
        assertThat(instructions("ARG")).noneMatch(arg -> secret.matcher(arg).find());
    }

    @Test
    void theBuildContextHoldsOnlyTheJarsAndTheConfiguration() throws IOException {
        List<String> ignore =
                Files.readAllLines(TestDirs.project(".dockerignore")).stream()
                        .filter(l -> !l.isBlank() && !l.startsWith("#"))
                        .toList();
        assertThat(ignore.get(0)).isEqualTo("*");
        assertThat(ignore)
                .filteredOn(l -> l.startsWith("!"))
                .containsExactly(
                        "!src/job/target/embedflow-job-*-flink.jar",
                        "!src/job/target/embedflow-job-*-aws-sdk.jar",
                        "!src/model/target/embedflow-job-with-model-*-flink.jar",
                        "!flink-conf/config.yaml",
                        "!src/qa/target/embedflow-qa-*.jar",
                        "!src/qa/target/service-lib/");
    }

    /** The arguments of every {@code keyword} instruction of docker/Dockerfile. */
    private static List<String> instructions(String keyword) {
        return instructions(lines, keyword);
    }

    /** The arguments of every {@code keyword} instruction, continuation lines joined. */
    private static List<String> instructions(List<String> lines, String keyword) {
        List<String> found = new ArrayList<>();
        StringBuilder current = null;
        for (String line : lines) {
            String trimmed = line.strip();
            if (current != null) {
                current.append(' ').append(trimmed.replaceAll("\\\\$", "").strip());
                if (!trimmed.endsWith("\\")) {
                    found.add(current.toString().strip());
                    current = null;
                }
                continue;
            }
            if (trimmed.toUpperCase(Locale.ROOT).startsWith(keyword + " ")) {
                String args = trimmed.substring(keyword.length()).strip();
                if (args.endsWith("\\")) {
                    current = new StringBuilder(args.replaceAll("\\\\$", "").strip());
                } else {
                    found.add(args);
                }
            }
        }
        return found;
    }

    private static JsonNode lint(Path dockerfile) throws Exception {
        Path linter = installDockerfilelint();
        Process process =
                new ProcessBuilder(linter.toString(), "-o", "json", dockerfile.toString())
                        .redirectErrorStream(false)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (!output.strip().startsWith("{")) {
            fail("dockerfilelint printed no JSON report:\n" + output + errors);
        }
        return JSON.readTree(output);
    }

    /**
     * dockerfilelint under target/npm, installed with npm on first use. Fails clearly without npm.
     */
    private static synchronized Path installDockerfilelint() throws Exception {
        Path linter = NPM_PREFIX.resolve("node_modules/.bin/dockerfilelint").toAbsolutePath();
        if (Files.isExecutable(linter)) {
            return linter;
        }
        String npm = onPath("npm");
        if (npm == null) {
            fail(
                    "npm is not on the PATH, so docker/Dockerfile cannot be linted: install Node.js"
                            + " and npm (Debian: apt-get install nodejs npm; .ci/run does).");
        }
        Files.createDirectories(NPM_PREFIX);
        Process install =
                new ProcessBuilder(
                                npm,
                                "install",
                                "--prefix",
                                NPM_PREFIX.toString(),
                                "--no-audit",
                                "--no-fund",
                                "dockerfilelint@" + DOCKERFILELINT_VERSION)
                        .redirectErrorStream(true)
                        .start();
        String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(install.waitFor(5, TimeUnit.MINUTES)).isTrue();
        if (install.exitValue() != 0 || !Files.isExecutable(linter)) {
            fail("npm install dockerfilelint failed:\n" + output);
        }
        return linter;
    }

    private static String onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
