package dev.embedflow.qa;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.devserver.FreePorts;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.search.TestSearchIndex;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The service as it ships (docker/Dockerfile.qa runs the same): its jar and target/service-lib
 * alone on the class path, in its own JVM, configured by -D flags and the environment. It answers,
 * logs on stderr only, and never logs the question or the key.
 */
@ExtendWith(OpenSearchExtension.class)
class QaServiceProcessITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUESTION = "Which shipment was held at customs?";

    @Test
    void theShippedClassPathServesTheApiAndLogsOnStderrOnly(OpenSearchTestIndex index)
            throws Exception {
        TestSearchIndex test;
        try (LocalEmbeddingModel model = LocalEmbeddingModel.acquireShared()) {
            test = QaFixture.index(index, model);
        }
        int port = FreePorts.pickOne();
        String classPath =
                System.getProperty("embedflow.qa.jar")
                        + File.pathSeparator
                        + Path.of(System.getProperty("embedflow.qa.lib")).resolve("*");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx1g",
                                "-Dai.djl.offline=true",
                                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR"),
                                "-cp",
                                classPath,
                                QaMain.class.getName(),
                                "-Dopensearch.hosts=" + index.node().httpUri(),
                                "-Dqa.index=" + test.spec.alias(),
                                "-Dqa.host=127.0.0.1",
                                "-Dqa.port=" + port));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put(QaApplication.API_KEYS_ENV, QaFixture.KEYS);
        Process process = builder.start();
        CompletableFuture<String> stdout =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return new String(
                                        process.getInputStream().readAllBytes(),
                                        StandardCharsets.UTF_8);
                            } catch (java.io.IOException e) {
                                return "unreadable: " + e;
                            }
                        });
        List<String> stderr = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        CompletableFuture<Void> logged = new CompletableFuture<>();
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getErrorStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String line; (line = r.readLine()) != null; ) {
                                    stderr.add(line);
                                    if (line.contains("Q&A service on port")) {
                                        started.complete(null);
                                    }
                                    if (line.contains("POST /v1/chat/completions")) {
                                        logged.complete(null);
                                    }
                                }
                            } catch (Exception e) {
                                started.completeExceptionally(e);
                            }
                            started.completeExceptionally(
                                    new AssertionError("the service exited: " + stderr));
                        });
        reader.start();
        try {
            started.get(3, TimeUnit.MINUTES);
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + port);
            HttpResponse<String> health =
                    http.send(
                            HttpRequest.newBuilder(base.resolve("/health")).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            HttpResponse<String> answer =
                    http.send(
                            HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                                    .header("Authorization", "Bearer " + QaFixture.ALL_KEY)
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    "{\"model\": \"embedflow-extractive\","
                                                            + " \"messages\": [{\"role\": \"user\","
                                                            + " \"content\": \""
                                                            + QUESTION
                                                            + "\"}]}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(answer.body());
            assertThat(body.path("citations").get(0).path("id").asText())
                    .isEqualTo("ship-6@2026-03-03");
            // The access line is written once the response is out: wait for it, not for a time.
            logged.get(30, TimeUnit.SECONDS);
        } finally {
            // SIGTERM: the shutdown hook stops the server. Through the handle, because
            // Process.destroy() also closes our end of stderr and would cut the last lines off.
            process.toHandle().destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join(Duration.ofSeconds(10).toMillis());
        }
        assertThat(stdout.get(10, TimeUnit.SECONDS)).as("logs go to stderr").isEmpty();
        assertThat(stderr)
                .anyMatch(l -> l.contains("INFO") && l.contains("Q&A service on port " + port))
                .anyMatch(l -> l.contains("POST /v1/chat/completions 200"))
                .anyMatch(l -> l.contains("INFO") && l.contains("Stopping the Q&A service"))
                .noneMatch(l -> l.contains(QUESTION))
                .noneMatch(l -> l.contains(QaFixture.ALL_KEY));
    }
}
