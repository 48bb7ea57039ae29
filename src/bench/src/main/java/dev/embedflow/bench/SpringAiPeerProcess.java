package dev.embedflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A peer of rows 9: Spring AI 1.1's ETL writer ({@code src/spring-ai-peer}), run as a child JVM on
 * its own class path ({@code target/spring-ai-peer.jar} and {@code target/lib}): Spring AI brings
 * Jackson 2.19 and opensearch-java 2.x, which must not meet EmbedFlow's. The child reports what it
 * did as one JSON object on stdout; its log goes to a file beside the benchmark's other logs. It
 * runs as many threads with as many documents per call as {@link LangChain4jPeer}.
 */
final class SpringAiPeerProcess {

    /** The peer's class, in {@code spring-ai-peer.jar}. */
    static final String MAIN_CLASS = "dev.embedflow.peer.springai.SpringAiPeer";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a run did.
     *
     * @param texts texts given
     * @param stored documents in the index afterwards
     * @param seconds first call to the last call's end
     * @param failedCalls {@code VectorStore.add} calls that failed after Spring AI's retries
     * @param cpuSeconds the child JVM's CPU over the run
     */
    record Result(long texts, long stored, double seconds, long failedCalls, double cpuSeconds) {}

    private final Path home;
    private final Path workDir;

    private SpringAiPeerProcess(Path home, Path workDir) {
        this.home = home;
        this.workDir = workDir;
    }

    /**
     * The peer built under {@code embedflowHome} ({@code src/spring-ai-peer/target}), or empty when
     * it has not been built.
     */
    static Optional<SpringAiPeerProcess> locate(Path embedflowHome, Path workDir) {
        Path target = embedflowHome.resolve("src/spring-ai-peer/target");
        if (!Files.isRegularFile(target.resolve("spring-ai-peer.jar"))
                || !Files.isDirectory(target.resolve("lib"))) {
            return Optional.empty();
        }
        return Optional.of(new SpringAiPeerProcess(target, workDir));
    }

    /** Writes {@code texts} into a new index on {@code openSearch} through the stand-in. */
    Result run(URI embeddingsBase, String model, int dimensions, URI openSearch, List<String> texts)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path input = Files.createTempFile(workDir, "spring-ai-texts-", ".json");
        Path log = workDir.resolve("spring-ai-peer.log");
        try {
            JSON.writeValue(input.toFile(), texts);
            String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process =
                    new ProcessBuilder(
                                    javaCommand,
                                    "-cp",
                                    home.resolve("spring-ai-peer.jar")
                                            + File.pathSeparator
                                            + home.resolve("lib")
                                            + "/*",
                                    MAIN_CLASS,
                                    "--embeddings",
                                    embeddingsBase.toString(),
                                    "--model",
                                    model,
                                    "--dimensions",
                                    String.valueOf(dimensions),
                                    "--opensearch",
                                    openSearch.toString(),
                                    "--texts",
                                    input.toString(),
                                    "--threads",
                                    String.valueOf(LangChain4jPeer.THREADS),
                                    "--per-call",
                                    String.valueOf(LangChain4jPeer.DOCUMENTS_PER_CALL),
                                    "--hnsw-m",
                                    String.valueOf(LangChain4jPeer.HNSW_M),
                                    "--hnsw-ef-construction",
                                    String.valueOf(LangChain4jPeer.HNSW_EF_CONSTRUCTION))
                            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                            .start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("the Spring AI peer did not end; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "the Spring AI peer exited with " + process.exitValue() + "; see " + log);
            }
            JsonNode result = JSON.readTree(new String(out, StandardCharsets.UTF_8));
            return new Result(
                    result.path("texts").asLong(),
                    result.path("stored").asLong(),
                    result.path("seconds").asDouble(),
                    result.path("failedCalls").asLong(),
                    result.path("cpuSeconds").asDouble());
        } finally {
            Files.deleteIfExists(input);
        }
    }
}
