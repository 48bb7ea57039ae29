package dev.embedflow.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the real node will not do on demand: reject bulk items with 429 (rejected execution). A
 * small HTTP server answers {@code _bulk} like an overloaded OpenSearch: the first attempt of
 * chosen documents is rejected, or every attempt of them.
 */
class OverloadedOpenSearchITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> rejectOnce = ConcurrentHashMap.newKeySet();
    private final Set<String> rejectAlways = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void startOverloadedServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/_bulk",
                exchange -> {
                    String body =
                            new String(
                                    exchange.getRequestBody().readAllBytes(),
                                    StandardCharsets.UTF_8);
                    ObjectNode response = JSON.createObjectNode();
                    ArrayNode items = response.putArray("items");
                    boolean errors = false;
                    for (String line : body.split("\n")) {
                        JsonNode action = JSON.readTree(line).path("index");
                        if (action.isMissingNode()) {
                            continue; // a source line
                        }
                        String id = action.path("_id").asText();
                        received.add(id);
                        ObjectNode item = items.addObject().putObject("index");
                        item.put("_index", action.path("_index").asText()).put("_id", id);
                        if (rejectAlways.contains(id) || rejectOnce.remove(id)) {
                            errors = true;
                            item.put("status", 429)
                                    .putObject("error")
                                    .put("type", "es_rejected_execution_exception")
                                    .put("reason", "rejected execution of coordinating operation");
                        } else {
                            item.put("status", 201).put("result", "created");
                        }
                    }
                    response.put("errors", errors);
                    byte[] bytes = JSON.writeValueAsBytes(response);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, bytes.length);
                    exchange.getResponseBody().write(bytes);
                    exchange.close();
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void itemsRejectedAsOverloadedAreRetriedUntilStored() throws Exception {
        List<IndexAction> actions = actions(30);
        rejectOnce.addAll(List.of(id(actions, 3), id(actions, 4), id(actions, 17)));

        run(sink().maxItemRetries(5).build(), actions);

        assertThat(rejectOnce).as("every rejected document was sent again").isEmpty();
        assertThat(received)
                .hasSize(33)
                .containsAll(actions.stream().map(OverloadedOpenSearchITCase::id).toList());
        assertThat(received.stream().filter(id(actions, 17)::equals)).hasSize(2);
    }

    @Test
    void anItemRejectedBeyondTheRetryLimitIsDeadLetteredWithTheReason() {
        List<IndexAction> actions = actions(10);
        rejectAlways.add(id(actions, 6));

        // the default dead-letter output fails the job with the dead letter
        assertThatThrownBy(() -> run(sink().maxItemRetries(2).build(), actions))
                .rootCause()
                .hasMessageContaining("kept rejecting the action after 2 retries")
                .hasMessageContaining("es_rejected_execution_exception");
        assertThat(received.stream().filter(id(actions, 6)::equals)).hasSize(3);
    }

    private OpenSearchSink.Builder sink() {
        return OpenSearchSink.builder()
                .connection(
                        OpenSearchConnectionConfig.builder()
                                .host("http://127.0.0.1:" + server.getAddress().getPort())
                                .build())
                .index("overloaded")
                .bulkMaxActions(10)
                .bulkInterval(Duration.ofMillis(100))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    private static List<IndexAction> actions(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> (IndexAction) SinkTestSupport.upsert("e", i, "text " + i))
                .toList();
    }

    private static String id(List<IndexAction> actions, int i) {
        return id(actions.get(i));
    }

    private static String id(IndexAction action) {
        return ((IndexAction.Upsert) action).id();
    }

    private static void run(OpenSearchSink sink, List<IndexAction> actions) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(actions, TypeInformation.of(IndexAction.class)).sinkTo(sink);
        env.execute("overloaded");
    }
}
