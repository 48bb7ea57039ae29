package dev.embedflow.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embedflow.testing.EmbeddingStubs;
import dev.embedflow.testing.StubHttpServer;
import dev.embedflow.testing.StubHttpServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible embedding service over real HTTP whose vectors are derived from the text
 * alone ({@link EmbeddingStubs#vectorFor}), so that the right vector of every document is known,
 * and that can be made to fail: while {@linkplain #failing(boolean) failing}, 30% of the requests
 * get a 429 (with {@code Retry-After: 1}), a 500, or no answer for {@link #HANG} (a hang past the
 * client's timeout), a third each.
 */
final class StandInEmbeddings implements AutoCloseable {

    static final String MODEL = "fault-stand-in-384";
    static final int DIMENSIONS = 384;
    static final double FAILURE_RATE = 0.3;
    static final Duration HANG = Duration.ofMinutes(2);

    private final StubHttpServer server;
    private volatile boolean failing;
    private final AtomicLong texts = new AtomicLong();
    private final AtomicLong tooMany = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong hangs = new AtomicLong();

    private StandInEmbeddings() throws IOException {
        server = StubHttpServer.startUnrecorded(this::answer);
    }

    static StandInEmbeddings start() throws IOException {
        return new StandInEmbeddings();
    }

    URI baseUri() {
        return server.baseUri();
    }

    /** Turns the failures on or off. */
    void failing(boolean failing) {
        this.failing = failing;
    }

    /** Texts embedded (answered with vectors) so far. */
    long texts() {
        return texts.get();
    }

    /** "429 / 500 / hangs" injected so far. */
    String injected() {
        return tooMany.get() + " / " + errors.get() + " / " + hangs.get();
    }

    @Override
    public void close() {
        server.close();
    }

    private Reply answer(StubHttpServer.Request request) {
        if (!"/v1/embeddings".equals(request.path()) || request.body() == null) {
            return Reply.json(404, EmbeddingStubs.openAiError("no such route", "invalid", null));
        }
        if (failing) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (random.nextDouble() < FAILURE_RATE) {
                switch (random.nextInt(3)) {
                    case 0 -> {
                        tooMany.incrementAndGet();
                        return Reply.json(
                                        429,
                                        EmbeddingStubs.openAiError(
                                                "Rate limit reached", "requests", "rate_limit"))
                                .withHeader("Retry-After", "1");
                    }
                    case 1 -> {
                        errors.incrementAndGet();
                        return Reply.json(
                                500,
                                EmbeddingStubs.openAiError(
                                        "The server had an error", "server", null));
                    }
                    default -> {
                        hangs.incrementAndGet();
                        return Reply.json(500, "{}").after(HANG);
                    }
                }
            }
        }
        JsonNode input = request.body().path("input");
        List<String> batch =
                input.isArray() ? EmbeddingStubs.texts(input) : List.of(input.asText());
        texts.addAndGet(batch.size());
        return Reply.json(200, EmbeddingStubs.openAiResponse(batch, MODEL, DIMENSIONS));
    }
}
