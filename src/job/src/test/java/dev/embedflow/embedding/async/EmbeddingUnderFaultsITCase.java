package dev.embedflow.embedding.async;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.deadletter.Origin;
import dev.embedflow.embedding.Embeddable;
import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.ProviderKind;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import dev.embedflow.testing.TestFlinkCluster;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The embedding function in a Flink job on a MiniCluster, against an OpenAI-shaped server that
 * misbehaves: 30% 429 with Retry-After (seconds or an HTTP date), 5% 500, 5% hangs past the request
 * timeout, and one poison text that always gets a 400. Seeded, so runs are alike.
 */
class EmbeddingUnderFaultsITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestFlinkCluster.twoSlots();

    private static final int DIMENSIONS = 16;
    private static final int TEXTS = 300;
    private static final String POISON = "this text is poison";
    private static final String POISON_MESSAGE = "Invalid 'input[0]': the text is rejected.";

    private StubHttpServer server;
    private final Map<Integer, String> replies = new ConcurrentHashMap<>();

    /** A record with plain fields; its origin is derived, as a Kafka record's would be. */
    public record Doc(String documentId, String text, long offset) implements Embeddable {
        @Override
        public List<Origin> origins() {
            return List.of(Origin.kafka("events", 0, offset, 1_700_000_000_000L));
        }
    }

    @BeforeEach
    void start() throws Exception {
        SplittableRandom random = new SplittableRandom(20250308);
        server =
                StubHttpServer.start(
                        request -> {
                            List<String> texts = EmbeddingStubs.texts(request.body().get("input"));
                            double roll;
                            synchronized (random) {
                                roll = random.nextDouble();
                            }
                            Reply reply;
                            String kind;
                            if (roll < 0.30) {
                                kind = "429";
                                reply =
                                        Reply.json(
                                                        429,
                                                        EmbeddingStubs.openAiError(
                                                                "Rate limit reached for requests",
                                                                "requests",
                                                                "rate_limit_exceeded"))
                                                .withHeader(
                                                        "Retry-After",
                                                        roll < 0.15
                                                                ? "1"
                                                                : DateTimeFormatter
                                                                        .RFC_1123_DATE_TIME
                                                                        .format(
                                                                                ZonedDateTime.now(
                                                                                                ZoneOffset
                                                                                                        .UTC)
                                                                                        .plusSeconds(
                                                                                                2)));
                            } else if (roll < 0.35) {
                                kind = "500";
                                reply =
                                        Reply.json(
                                                500,
                                                EmbeddingStubs.openAiError(
                                                        "The server had an error",
                                                        "server_error",
                                                        null));
                            } else if (roll < 0.40) {
                                kind = "hang";
                                reply = Reply.json(500, "{}").after(Duration.ofSeconds(2));
                            } else if (texts.contains(POISON)) {
                                kind = "400";
                                reply =
                                        Reply.json(
                                                400,
                                                EmbeddingStubs.openAiError(
                                                        POISON_MESSAGE,
                                                        "invalid_request_error",
                                                        "invalid_value"));
                            } else {
                                kind = "200";
                                reply =
                                        Reply.json(
                                                200,
                                                EmbeddingStubs.openAiResponse(
                                                        texts, "stub", DIMENSIONS));
                            }
                            replies.put(System.identityHashCode(request), kind);
                            return reply;
                        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyTextIsEmbeddedOnceAndOnlyThePoisonIsDeadLettered() throws Exception {
        List<Doc> docs = new ArrayList<>();
        for (int i = 0; i < TEXTS; i++) {
            docs.add(new Doc("doc-" + i, i == 137 ? POISON : "event text " + i, i));
        }
        EmbeddingConfig config =
                EmbeddingConfig.builder(ProviderKind.OPENAI)
                        .baseUrl(server.baseUri())
                        .model("stub")
                        .dimensions(DIMENSIONS)
                        .maxBatchSize(16)
                        .linger(Duration.ofMillis(20))
                        .maxInFlight(4)
                        // Beyond a hang's 2 s it times out; well above the time a 429 takes to
                        // be answered and read on a loaded machine, so that the client sees every
                        // 429 the server sends (the check of the Retry-After waits relies on it).
                        .requestTimeout(Duration.ofSeconds(1))
                        .maxAttempts(12)
                        .maxRetryDuration(Duration.ofSeconds(60))
                        .backoffInitial(Duration.ofMillis(50))
                        .backoffMax(Duration.ofSeconds(1))
                        .build();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Doc> input = env.fromData(docs).rebalance();
        SingleOutputStreamOperator<String> embedded =
                EmbeddingAsyncFunction.embed(input, config, 16)
                        .process(
                                new EmbeddingResultSplitter<Doc, String>(
                                        (doc, vector) ->
                                                "ok|"
                                                        + doc.documentId()
                                                        + "|"
                                                        + Arrays.equals(
                                                                vector,
                                                                EmbeddingStubs.vectorFor(
                                                                        doc.text(), DIMENSIONS))))
                        .returns(Types.STRING);
        DataStream<String> deadLetters =
                embedded.getSideOutput(EmbeddingResultSplitter.DEAD_LETTERS)
                        .map(d -> "dead|" + d.documentId() + "|" + d.origins() + "|" + d.reason())
                        .returns(Types.STRING);

        long start = System.nanoTime();
        List<String> out = embedded.union(deadLetters).executeAndCollect(TEXTS + 50);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        Map<String, Long> perDoc =
                out.stream()
                        .collect(
                                Collectors.groupingBy(
                                        s -> s.split("\\|")[1], Collectors.counting()));
        assertThat(perDoc).hasSize(TEXTS);
        assertThat(perDoc.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
        List<String> dead = out.stream().filter(s -> s.startsWith("dead|")).toList();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0))
                .startsWith("dead|doc-137|[events-0@137]|")
                .contains("HTTP 400")
                .contains(POISON_MESSAGE);
        assertThat(out.stream().filter(s -> s.startsWith("ok|")))
                .hasSize(TEXTS - 1)
                .allSatisfy(s -> assertThat(s).endsWith("|true"));

        List<StubHttpServer.Request> requests = server.requests();
        Map<String, Long> byKind =
                requests.stream()
                        .collect(
                                Collectors.groupingBy(
                                        r -> replies.getOrDefault(System.identityHashCode(r), "?"),
                                        Collectors.counting()));
        long textSends = requests.stream().mapToLong(r -> r.body().get("input").size()).sum();
        double requestsPerText = (double) requests.size() / TEXTS;
        double sendsPerText = (double) textSends / TEXTS;
        System.out.printf(
                "faults: %d texts in %d ms, %d requests (%s), %.3f requests per text, each text"
                        + " sent %.2f times on average%n",
                TEXTS, elapsedMillis, requests.size(), byKind, requestsPerText, sendsPerText);
        // the seed's first 40 draws hold 11 429s, three 500s and three hangs: every fault happened
        assertThat(byKind).containsKeys("429", "500", "hang", "400", "200");
        assertThat(requestsPerText).isLessThan(0.5);
        assertThat(sendsPerText).isLessThan(4.0);
        assertRetriesWaitedAsAsked(requests);
    }

    /** After a 429, none of its texts came back before the Retry-After (at least 1 s). */
    private void assertRetriesWaitedAsAsked(List<StubHttpServer.Request> requests) {
        Map<String, Long> rateLimitedAt = new HashMap<>();
        int checked = 0;
        for (StubHttpServer.Request r : requests) {
            List<String> texts = EmbeddingStubs.texts(r.body().get("input"));
            for (String text : texts) {
                Long limitedAt = rateLimitedAt.remove(text);
                if (limitedAt != null) {
                    assertThat(TimeUnit.NANOSECONDS.toMillis(r.arrivedNanos() - limitedAt))
                            .as("wait before re-sending '%s' after a 429", text)
                            .isGreaterThanOrEqualTo(950);
                    checked++;
                }
            }
            if ("429".equals(replies.get(System.identityHashCode(r)))) {
                texts.forEach(t -> rateLimitedAt.put(t, r.arrivedNanos()));
            }
        }
        assertThat(checked).isPositive();
    }
}
