package dev.embedflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every job jar for a Flink cluster must be, whichever flavour: the lean jar ({@code
 * LeanJobJarITCase}) and the one with the model ({@code JobJarWithModelITCase}) run these checks on
 * the jar their build names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class JobJarContract {

    protected ShadedJobJar jar;

    @BeforeAll
    void openJar() throws IOException {
        jar = ShadedJobJar.fromBuild();
        System.out.printf(
                Locale.ROOT,
                "job jar %s: %.1f MB, %d entries%n",
                jar.path().getFileName(),
                jar.size() / 1e6,
                jar.entries().size());
    }

    @AfterAll
    void closeJar() throws IOException {
        jar.close();
    }

    /** Flink itself, its connectors' provided parts and a logging backend stay out. */
    @Test
    void leavesFlinkAndLoggingToTheCluster() {
        assertThat(jar.entries())
                .noneMatch(e -> e.startsWith("org/apache/flink/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/configuration/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/shaded/"))
                .noneMatch(e -> e.startsWith("org/apache/logging/log4j/"))
                .noneMatch(e -> e.startsWith("ch/qos/logback/"))
                .noneMatch(e -> e.startsWith("org/slf4j/"))
                .doesNotContain("log4j2.xml", "log4j2.properties", "logback.xml");
    }

    /** The connectors and clients the jobs need, and both entry points. */
    @Test
    void bringsTheJobsConnectorsAndClients() {
        assertThat(jar.entries())
                .contains(
                        "dev/embedflow/stream/StreamingJob.class",
                        "dev/embedflow/batch/BatchJob.class",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/flink/connector/base/source/reader/RecordEmitter.class",
                        "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                        "org/opensearch/client/opensearch/OpenSearchClient.class",
                        "org/asynchttpclient/AsyncHttpClient.class",
                        "org/apache/pdfbox/Loader.class");
    }

    /** Service files of every dependency are merged, not the last one kept. */
    @Test
    void mergesServiceFiles() throws IOException {
        // jackson-datatype-jdk8 and jackson-datatype-jsr310 each register a Module.
        assertThat(jar.read("META-INF/services/com.fasterxml.jackson.databind.Module"))
                .contains("com.fasterxml.jackson.datatype.jdk8.Jdk8Module")
                .contains("com.fasterxml.jackson.datatype.jsr310.JavaTimeModule");
        assertThat(jar.read("META-INF/services/org.apache.flink.table.factories.Factory"))
                .contains(
                        "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory");
    }

    /** No native debug symbols, no signature files of the jars it was made from. */
    @Test
    void leavesOutDebugSymbolsAndSignatures() {
        assertThat(jar.entries())
                .noneMatch(e -> e.contains(".dSYM/"))
                .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|RSA|DSA)"));
    }

    /**
     * Every class the jar's own code and opensearch-java's kept APIs use is in the jar or on the
     * cluster. Allowed gaps: the AWS SDK ({@code allowAwsSdkMissing}), referred to by one class
     * only, and the opensearch-java APIs the build leaves out, referred to only by the client base
     * classes whose methods open them.
     */
    @Test
    void resolvesEveryClassItUsesButTheAwsSdk() throws IOException {
        List<String> missing = jar.missingDependencies();
        assertThat(missing)
                .filteredOn(l -> l.startsWith("dev.embedflow."))
                .allMatch(
                        l ->
                                l.startsWith("dev.embedflow.opensearch.AwsSigV4Transport ")
                                        && l.contains("-> software.amazon.awssdk."),
                        "only AwsSigV4Transport may refer to the AWS SDK");
        assertThat(missing)
                .filteredOn(l -> l.contains("-> org.opensearch.client."))
                .allMatch(
                        l ->
                                l.startsWith(
                                                "org.opensearch.client.opensearch.OpenSearchClientBase")
                                        || l.startsWith(
                                                "org.opensearch.client.opensearch"
                                                        + ".OpenSearchAsyncClientBase")
                                        || l.startsWith(
                                                "org.opensearch.client.transport.rest_client."),
                        "only the client base classes may refer to the APIs left out");
    }
}
