package dev.embedflow.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.bench.CountingEmbedder;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.devserver.S3Server;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestFlinkCluster;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch job reading from a real S3 API server (S3Proxy) through Flink's S3 file system plugin:
 * a prefix, a glob, re-runs that skip unchanged objects without reading them, and credentials that
 * appear nowhere in what it prints.
 */
@ExtendWith(OpenSearchExtension.class)
class BatchS3ITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static S3Server s3;
    private static LocalEmbeddingModel model;
    private static CountingEmbedder counting;
    private static EmbeddingServer server;

    @TempDir java.nio.file.Path dir;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start();
        s3.createBucket("lake");
        s3.createBucket("empty");
        model = LocalEmbeddingModel.acquireShared();
        counting = new CountingEmbedder(model);
        server = EmbeddingServer.builder(counting).port(0).build().start();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
        s3.close();
    }

    @Test
    void readsAPrefixAndAGlobAndSkipsUnchangedObjectsOnReRuns(
            OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Configuration config = config(node, index, "s3://lake/handbook/**.md");
        upload("s3://lake/handbook/returns.md", "# Returns\n\nRefunds are paid within 14 days.");
        upload(
                "s3://lake/handbook/shipping.md",
                "# Shipping\n\nParcels leave the warehouse daily.");
        upload("s3://lake/handbook/faq/tiles.md", "# Tiles\n\nCracked tiles are replaced free.");
        upload("s3://lake/handbook/_drafts/secret.md", "# Draft\n\nNot for the index.");
        upload("s3://lake/handbook/prices.csv", "sku,name\n1,tile");

        BatchFixtures.Run first = BatchFixtures.run(config);

        String indexName = first.prepared().index().indexName();
        Map<String, JsonNode> indexed = BatchJobITCase.indexed(node, indexName);
        assertThat(indexed.keySet())
                .as("documents are named by their s3:// URI; the glob left out csv and _drafts")
                .containsExactlyInAnyOrder(
                        "s3://lake/handbook/faq/tiles.md#0",
                        "s3://lake/handbook/returns.md#0",
                        "s3://lake/handbook/shipping.md#0");
        assertThat(indexed.get("s3://lake/handbook/returns.md#0").path("text").asText())
                .contains("Refunds are paid within 14 days.");
        assertThat(first.summary().files()).isEqualTo(3);
        assertThat(first.console())
                .contains("Reading 3 files")
                .doesNotContain(s3.secretKey())
                .doesNotContain(s3.accessKey());

        // Nothing changed: not a file is read, nor a text embedded.
        long texts = counting.texts();
        BatchFixtures.Run again = BatchFixtures.run(config);
        assertThat(again.summary().skippedFiles()).isEqualTo(3);
        assertThat(again.summary().files()).isZero();
        assertThat(again.console()).contains("Nothing to read: all 3 input files");
        assertThat(counting.texts()).isEqualTo(texts);

        // One object rewritten, one added: only those two are read.
        upload(
                "s3://lake/handbook/returns.md",
                "# Returns\n\nRefunds are paid within 30 days, to the card used.");
        upload("s3://lake/handbook/faq/grout.md", "# Grout\n\nGrout comes in grey and white.");
        BatchFixtures.Run third = BatchFixtures.run(config);
        assertThat(third.summary().files()).isEqualTo(2);
        assertThat(third.summary().skippedFiles()).isEqualTo(2);
        Map<String, JsonNode> after = BatchJobITCase.indexed(node, indexName);
        assertThat(after.get("s3://lake/handbook/returns.md#0").path("text").asText())
                .contains("30 days");
        assertThat(after).containsKey("s3://lake/handbook/faq/grout.md#0");
        assertThat(after.get("s3://lake/handbook/shipping.md#0"))
                .isEqualTo(indexed.get("s3://lake/handbook/shipping.md#0"));

        // Switched off, every file is read again (and nothing re-embedded: the chunks match).
        Configuration all = config.clone();
        all.setString("batch.skip-unchanged-files", "false");
        BatchFixtures.Run everything = BatchFixtures.run(all);
        assertThat(everything.summary().files()).isEqualTo(4);
        assertThat(everything.summary().embedded()).isZero();
    }

    @Test
    void aPrefixWithoutObjectsOrAWrongKeyIsAClearError(
            OpenSearchNode node, OpenSearchTestIndex index) {
        assertThatThrownBy(() -> BatchJob.prepare(config(node, index, "s3://empty/nothing/")))
                .hasMessageContaining("s3://empty/nothing/");

        Configuration wrongKey = config(node, index, "s3://lake/");
        wrongKey.setString("s3.secret-key", "not-the-secret");
        // The AWS SDK takes a bad signature for clock skew and retries (20 attempts, about two
        // minutes, by default): one attempt shows the same error.
        wrongKey.setString("fs.s3a.attempts.maximum", "1");
        FileSystem.initialize(wrongKey, null);
        try {
            assertThatThrownBy(() -> BatchJob.prepare(wrongKey))
                    .satisfies(
                            e ->
                                    assertThat(causes(e))
                                            .contains("Could not list s3://lake/")
                                            .contains("SignatureDoesNotMatch")
                                            .doesNotContain("not-the-secret"));
        } finally {
            FileSystem.initialize(config(node, index, "s3://lake/"), null);
        }
    }

    private Configuration config(OpenSearchNode node, OpenSearchTestIndex index, String input) {
        Configuration config =
                BatchFixtures.config(node, index, server, dir.resolve("dead-letters"));
        s3.flinkSettings().forEach(config::setString);
        config.setString("batch.input", input);
        FileSystem.initialize(config, null);
        return config;
    }

    /** Uploads an object through the S3 API (Flink's S3 file system: a PUT). */
    private static void upload(String uri, String content) throws Exception {
        Path path = new Path(uri);
        try (FSDataOutputStream out =
                path.getFileSystem().create(path, FileSystem.WriteMode.OVERWRITE)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String causes(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        return all.toString();
    }
}
