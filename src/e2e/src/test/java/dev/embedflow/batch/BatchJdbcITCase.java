package dev.embedflow.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.devserver.PostgresServer;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.OpenSearchTestIndex;
import dev.embedflow.testing.TestFlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The batch job over a table and a query of a real PostgreSQL server. */
@ExtendWith(OpenSearchExtension.class)
class BatchJdbcITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static PostgresServer postgres;
    private static EmbeddingServer server;

    @TempDir Path dir;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start();
        server =
                EmbeddingServer.builder(LocalEmbeddingModel.acquireShared())
                        .port(0)
                        .build()
                        .start();
        try (Connection connection =
                        DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
                Statement sql = connection.createStatement()) {
            sql.execute(
                    "CREATE TABLE products (id integer PRIMARY KEY, name text, description text,"
                            + " price numeric(8,2))");
            sql.execute(
                    "INSERT INTO products VALUES"
                            + " (1, 'Tent', 'A light two-person tent for summer hikes.', 199.00),"
                            + " (2, 'Stove', 'A compact gas stove that boils water fast.', 49.50),"
                            + " (3, 'Lamp', 'A rechargeable head lamp with a red light.', 25.00),"
                            + " (10, 'Pump', 'A hand pump for air mattresses.', 15.00)");
            sql.execute("CREATE TABLE reviews (review_key text PRIMARY KEY, body text, stars int)");
            sql.execute(
                    "INSERT INTO reviews VALUES ('r-a', 'Great tent, stayed dry all night.', 5),"
                            + " ('r-b', 'The stove stopped working after a week.', 1)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void tableRowsBecomeDocumentsWithTheirPrimaryKeyAsIdAndOtherColumnsAsMetadata(
            OpenSearchNode node, OpenSearchTestIndex index) throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "not-checked-by-trust-auth");
        Configuration config = config(node, index);
        config.setString("batch.jdbc.table", "products");
        config.setString("batch.jdbc.text-columns", "name;description");
        config.setString("batch.jdbc.title-column", "name");
        config.setString("batch.jdbc.password-file", password.toString());

        BatchFixtures.Run run = BatchFixtures.run(config);

        Map<String, JsonNode> indexed =
                BatchJobITCase.indexed(node, run.prepared().index().indexName());
        assertThat(indexed.keySet())
                .containsExactlyInAnyOrder(
                        "products:1#0", "products:2#0", "products:3#0", "products:10#0");
        JsonNode stove = indexed.get("products:2#0");
        assertThat(stove.path("text").asText())
                .isEqualTo("Stove\n\nA compact gas stove that boils water fast.");
        assertThat(stove.path("metadata").path("price").asText()).isEqualTo("49.50");
        assertThat(stove.path("metadata").path("title").asText()).isEqualTo("Stove");
        assertThat(stove.path("metadata").path("source").asText()).isEqualTo("jdbc");
        assertThat(stove.path("metadata").path("format").asText()).isEqualTo("sql");
        assertThat(run.summary().documents()).isEqualTo(4);
        assertThat(run.summary().deadLettered()).isZero();
    }

    @Test
    void queryRowsAreIdentifiedByTheKeyColumn(OpenSearchNode node, OpenSearchTestIndex index)
            throws Exception {
        Configuration config = config(node, index);
        config.setString(
                "batch.jdbc.query", "SELECT review_key, body, stars FROM reviews WHERE stars < 3");
        config.setString("batch.jdbc.key-column", "review_key");

        BatchFixtures.Run run = BatchFixtures.run(config);

        Map<String, JsonNode> indexed =
                BatchJobITCase.indexed(node, run.prepared().index().indexName());
        assertThat(indexed.keySet()).containsExactly("r-b#0");
        assertThat(indexed.get("r-b#0").path("text").asText())
                .isEqualTo("The stove stopped working after a week.");
        assertThat(indexed.get("r-b#0").path("metadata").path("stars").asText()).isEqualTo("1");
    }

    private Configuration config(OpenSearchNode node, OpenSearchTestIndex index) {
        Configuration config =
                BatchFixtures.config(node, index, server, dir.resolve("dead-letters"));
        config.setString("batch.jdbc.url", postgres.jdbcUrl());
        config.setString("batch.jdbc.user", postgres.user());
        return config;
    }
}
