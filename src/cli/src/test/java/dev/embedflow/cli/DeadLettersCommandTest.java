package dev.embedflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.batch.internal.JsonLinesDeadLetterWriter;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.commons.io.output.NullOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dead-letters list|show|redrive} over a batch run's dead-letter files. */
class DeadLettersCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @BeforeEach
    void writeDeadLetters() throws Exception {
        try (JsonLinesDeadLetterWriter writer =
                new JsonLinesDeadLetterWriter(
                        dir, "run1", "task0", new PrintStream(NullOutputStream.INSTANCE))) {
            writer.write(
                    letter(Stage.SOURCE, "line 3 is not JSON: unexpected end", "a.jsonl", 3, "{x"));
            writer.write(
                    letter(Stage.SOURCE, "line 9 is not JSON: unexpected end", "a.jsonl", 9, "{"));
            writer.write(
                    letter(
                            Stage.EMBEDDING,
                            "text of 912 tokens is over the limit of 256",
                            "b.md",
                            null,
                            "long"));
        }
    }

    @Test
    void listGroupsByStageAndReasonKind() throws Exception {
        EmbedFlowCli.Result run = cli("dead-letters", "list", "--files", dir.toString(), "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode root = JSON.readTree(run.out());
        assertThat(root.get("total").asInt()).isEqualTo(3);
        assertThat(root.get("groups"))
                .extracting(
                        g ->
                                g.get("stage").asText()
                                        + " "
                                        + g.get("count").asInt()
                                        + " "
                                        + g.get("reason").asText())
                .containsExactly(
                        "SOURCE 2 line # is not JSON: unexpected end",
                        "EMBEDDING 1 text of # tokens is over the limit of #");
    }

    @Test
    void showSelectsByStageReasonAndOrigin() throws Exception {
        EmbedFlowCli.Result byOrigin =
                cli("dead-letters", "show", "--files", dir.toString(), "--id", "a.jsonl:9");
        assertThat(byOrigin.out())
                .contains("SOURCE  failed at 2026-12-07T06:00:00Z")
                .contains("reason:   line 9 is not JSON")
                .contains("from:     a.jsonl:9")
                .contains("payload:  {")
                .doesNotContain("line 3");

        EmbedFlowCli.Result embedding =
                cli(
                        "dead-letters",
                        "show",
                        "--files",
                        dir.toString(),
                        "--stage",
                        "EMBEDDING",
                        "--json");
        JsonNode line = JSON.readTree(embedding.out());
        assertThat(line.get("origins").get(0).get("path").asText()).isEqualTo("b.md");
        assertThat(line.get("payload").asText()).isEqualTo("long");
        assertThat(line.get("location").asText()).endsWith("dead-letters-run1-task0.jsonl:3");
    }

    @Test
    void redriveOfBatchFilesSaysToRunTheBatchAgain() {
        EmbedFlowCli.Result run = cli("dead-letters", "redrive", "--files", dir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("running embedflow batch again over the fixed input");
    }

    private static DeadLetter letter(
            Stage stage, String reason, String path, Integer line, String payload) {
        return new DeadLetter(
                stage,
                reason,
                List.of(Origin.file(path, line == null ? null : line.longValue())),
                null,
                payload.getBytes(StandardCharsets.UTF_8),
                Instant.parse("2026-12-07T06:00:00Z"));
    }

    private static EmbedFlowCli.Result cli(String... args) {
        return EmbedFlowCli.run(args);
    }
}
