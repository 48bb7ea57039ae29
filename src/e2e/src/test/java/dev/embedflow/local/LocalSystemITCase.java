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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code embedflow local}'s start-up path end to end on free ports: real Kafka, real OpenSearch,
 * the embedding server, the job on a MiniCluster with its web UI, Redis and the Q&A service, whose
 * page a real headless Chromium drives; then a clean stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalSystemITCase {

    private static final int SAMPLES = 100;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LocalSystem system;
    private List<ProcessHandle> children;
    private Map<String, Integer> ports;

    @BeforeAll
    void start() {
        Path dataDir = TestDirs.workDir().resolve("local-" + UUID.randomUUID());
        system =
                LocalSystem.builder()
                        .dataDir(dataDir)
                        .openSearchHome(Path.of(System.getProperty("embedflow.opensearch.home")))
                        .anyFreePorts()
                        .sampleEvents(SAMPLES)
                        .build();
        system.start();
        children = system.childProcesses();
        ports = system.ports();
    }

    @AfterAll
    void closeLeavesNoProcessOrPortBehind() {
        system.close();
        assertThat(children)
                .allSatisfy(
                        child -> assertThat(child.onExit()).succeedsWithin(Duration.ofSeconds(10)));
        assertThat(ports.values())
                .allSatisfy(port -> assertThat(FreePorts.isTaken(port)).isFalse());
    }

    @Test
    void samplesAndProducedEventsBecomeSearchable() throws Exception {
        assertThat(children).hasSizeGreaterThanOrEqualTo(2).allMatch(ProcessHandle::isAlive);
        assertThat(system.topicCreated()).isTrue();
        assertThat(system.samplesPublished()).isEqualTo(SAMPLES);

        // One document per customer and day, updated seconds after each event.
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
    }

    @Test
    void thePageAnswersInARealBrowserWithCitationsAndKeepsTheConversation() throws Exception {
        system.awaitEvents(SAMPLES, Duration.ofSeconds(60));
        try (QaPage page = QaPage.open(system.qaUri())) {
            QaPage.Turn first = page.ask("Which parcel has not arrived yet?");
            assertThat(first.answer()).containsPattern("\\[\\d+]");
            assertThat(first.citations()).isNotEmpty();
            assertThat(first.citations().get(0)).startsWith("[1] customer-");

            QaPage.Source source = page.openCitation(1);
            assertThat(source.title()).startsWith("[1] customer-");
            assertThat(source.text()).isNotBlank();
            page.screenshot("qa-page.png");

            QaPage.Turn second = page.ask("What else happened to that customer?");
            assertThat(second.citations()).isNotEmpty();
            HttpResponse<String> session =
                    get(system.qaUri().resolve("/v1/sessions/" + page.sessionId()));
            assertThat(session.statusCode()).isEqualTo(200);
            assertThat(session.body())
                    .contains("Which parcel has not arrived yet?")
                    .contains("What else happened to that customer?");

            page.newConversation();
            assertThat(page.turns()).isZero();
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
