package dev.embedflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shaded job jar that `./mvnw package` leaves in target/ is fit for a Flink 2.2 cluster. */
class JobJarITCase {

    private static JarFile jar;
    private static List<String> entries;

    @BeforeAll
    static void openJar() throws IOException {
        Path jarPath;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jarPath =
                    files.filter(p -> p.getFileName().toString().matches("embedflow-.*\\.jar"))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("no job jar in target/"));
        }
        jar = new JarFile(jarPath.toFile());
        entries = jar.stream().map(JarEntry::getName).toList();
    }

    @AfterAll
    static void closeJar() throws IOException {
        jar.close();
    }

    @Test
    void leavesFlinkItselfToTheCluster() {
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/apache/flink/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/configuration/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/shaded/"));
    }

    @Test
    void bringsTheConnectorsClientsAndModel() {
        assertThat(entries)
                .contains(
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/flink/connector/base/source/reader/RecordEmitter.class",
                        "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                        "org/opensearch/client/opensearch/OpenSearchClient.class",
                        "org/asynchttpclient/AsyncHttpClient.class",
                        "all-minilm-l6-v2.onnx",
                        "all-minilm-l6-v2-tokenizer.json",
                        "dev/embedflow/cli/EmbedFlowCli.class");
    }

    @Test
    void containsNoLoggingBackendNorLoggingConfiguration() {
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/apache/logging/log4j/"))
                .noneMatch(e -> e.startsWith("ch/qos/logback/"))
                .noneMatch(e -> e.startsWith("org/slf4j/"))
                .doesNotContain("log4j2.xml", "log4j2.properties", "logback.xml");
    }

    @Test
    void mergesServiceFilesOfEveryDependency() throws IOException {
        // jackson-datatype-jdk8 and jackson-datatype-jsr310 each register a Module.
        assertThat(read("META-INF/services/com.fasterxml.jackson.databind.Module"))
                .contains("com.fasterxml.jackson.datatype.jdk8.Jdk8Module")
                .contains("com.fasterxml.jackson.datatype.jsr310.JavaTimeModule");
        assertThat(read("META-INF/services/org.apache.flink.table.factories.Factory"))
                .contains(
                        "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory");
    }

    @Test
    void leavesOutNativeDebugSymbolsAndSignatureFiles() {
        assertThat(entries)
                .noneMatch(e -> e.contains(".dSYM/"))
                .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|RSA|DSA)"));
    }

    private static String read(String entry) throws IOException {
        JarEntry found = jar.getJarEntry(entry);
        assertThat(found).as(entry).isNotNull();
        try (InputStream in = jar.getInputStream(found)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
