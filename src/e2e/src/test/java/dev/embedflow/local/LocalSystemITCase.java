package dev.embedflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.devserver.EventPublisher;
import dev.embedflow.devserver.FreePorts;
import dev.embedflow.search.SearchHit;
import dev.embedflow.testing.TestDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code embedflow local}'s start-up path end to end on free ports: real Kafka, real OpenSearch,
 * the embedding server and the job on a MiniCluster with its web UI; then a clean stop.
 */
class LocalSystemITCase {

    private static final int SAMPLES = 100;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void samplesAndProducedEventsBecomeSearchableAndCloseLeavesNoProcessOrPortBehind()
            throws Exception {
        Path dataDir = TestDirs.workDir().resolve("local-" + UUID.randomUUID());
        LocalSystem system =
                LocalSystem.builder()
                        .dataDir(dataDir)
                        .openSearchHome(Path.of(System.getProperty("embedflow.opensearch.home")))
                        .anyFreePorts()
                        .sampleEvents(SAMPLES)
                        .build();
        List<ProcessHandle> children;
        Map<String, Integer> ports;
        try {
            system.start();
            children = system.childProcesses();
            ports = system.ports();
            assertThat(children).hasSizeGreaterThanOrEqualTo(2).allMatch(ProcessHandle::isAlive);
            assertThat(system.topicCreated()).isTrue();
            assertThat(system.samplesPublished()).isEqualTo(SAMPLES);

            // window.mode NONE: one document per event, as soon as the event is read.
            assertThat(system.awaitEvents(SAMPLES, Duration.ofSeconds(60))).isEqualTo(SAMPLES);
            assertThat(system.documentCount())
                    .as("one document per customer and day (and chunks of long days)")
                    .isLessThan(SAMPLES);
            List<SearchHit> hits = system.search("an order was shipped to the customer", 3);
            assertThat(hits).hasSize(3);
            assertThat(hits.get(0).entity()).startsWith("customer-");
            assertThat(hits.get(0).model()).isEqualTo("all-MiniLM-L6-v2");

            HttpResponse<String> ui = get(system.flinkWebUri().resolve("/"));
            assertThat(ui.statusCode()).isEqualTo(200);
            assertThat(ui.body()).containsIgnoringCase("<html");
            HttpResponse<String> jobs = get(system.flinkWebUri().resolve("/jobs/overview"));
            assertThat(jobs.body()).contains("\"EmbedFlow local\"").contains("RUNNING");

            String mine =
                    "{\"specversion\":\"1.0\",\"id\":\"it-1\",\"type\":\"ticket.opened\","
                            + "\"subject\":\"customer-it\",\"time\":\""
                            + Instant.now()
                            + "\",\"data\":{\"message\":\"the kayak paddle arrived cracked in"
                            + " two pieces\"}}";
            EventPublisher.Result sent = system.publish(mine + "\n");
            assertThat(sent).isEqualTo(new EventPublisher.Result(1, 1, 0));
            system.awaitEvents(SAMPLES + 1, Duration.ofSeconds(30));
            assertThat(system.search("broken paddle for my kayak", 1).get(0).entity())
                    .isEqualTo("customer-it");
            assertThat(system.problem()).isEmpty();
        } finally {
            system.close();
        }

        assertThat(children)
                .allSatisfy(
                        child -> assertThat(child.onExit()).succeedsWithin(Duration.ofSeconds(10)));
        assertThat(ports.values())
                .allSatisfy(port -> assertThat(FreePorts.isTaken(port)).isFalse());
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
