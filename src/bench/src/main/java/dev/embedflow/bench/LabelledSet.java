package dev.embedflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embedflow.devserver.SampleBusiness;
import dev.embedflow.source.Event;
import dev.embedflow.window.DocumentIds;
import dev.embedflow.window.DocumentRenderer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A labelled question set for retrieval quality: questions over the sample business (the events
 * {@code embedflow local} publishes, one document per event as the local system indexes them) and a
 * small corpus of shop documents, each with the ids of the documents that answer it. The ids are
 * written in {@code labelled/questions.json}; each question also names its evidence, phrases that
 * every answering document contains and no other does, so that a test checks the ids against the
 * corpus ({@code LabelledSetTest}).
 */
final class LabelledSet {

    static final String RESOURCES = "/dev/embedflow/bench/labelled/";
    static final String QUESTIONS = RESOURCES + "questions.json";

    /** The corpus: the sample business's seed, start, size and the shop documents. */
    static final long SEED = 42;

    static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    static final int EVENTS = 300;
    static final int CUSTOMERS = 25;
    static final List<String> DOCUMENTS =
            List.of(
                    "account-help.md",
                    "headlamp.md",
                    "lighthouse-log.md",
                    "payments.md",
                    "returns-policy.md",
                    "shipping.md",
                    "sleeping-bag-care.md",
                    "stove-safety.md",
                    "tent-care.md",
                    "water-filter.md");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One document of the corpus. */
    record Document(String id, String entity, Instant start, Instant end, String text) {}

    /** One question, the ids that answer it, and the evidence they share. */
    record Question(String id, String question, List<String> evidence, List<String> relevant) {}

    private LabelledSet() {}

    /** The corpus, sample events first, then the shop documents (ids {@code docs/<file>}). */
    static List<Document> corpus() {
        DocumentRenderer renderer = new DocumentRenderer(DocumentRenderer.ONE_EVENT_TEMPLATE, 100);
        List<Document> corpus = new ArrayList<>();
        for (Event event :
                Benchmark.parse(new SampleBusiness(SEED, START).events(EVENTS, CUSTOMERS))) {
            Instant time = Instant.ofEpochMilli(event.getEventTime());
            corpus.add(
                    new Document(
                            DocumentIds.event(event.getEntity(), event),
                            event.getEntity(),
                            time,
                            time,
                            renderer.render(
                                    event.getEntity(),
                                    event.getEventTime(),
                                    event.getEventTime(),
                                    List.of(event))));
        }
        for (String file : DOCUMENTS) {
            String id = "docs/" + file;
            corpus.add(new Document(id, id, null, null, resource("documents/" + file)));
        }
        return corpus;
    }

    /** The questions as {@code questions.json} has them. */
    static List<Question> questions() {
        return parse(resource("questions.json"));
    }

    /** The questions of a {@code questions.json} text. */
    static List<Question> parse(String questionsJson) {
        try {
            JsonNode root = JSON.readTree(questionsJson);
            List<Question> questions = new ArrayList<>();
            for (JsonNode q : root.path("questions")) {
                questions.add(
                        new Question(
                                q.path("id").asText(),
                                q.path("question").asText(),
                                strings(q.path("evidence")),
                                strings(q.path("relevant"))));
            }
            return questions;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The ids of the documents whose text contains any of {@code evidence} (case-insensitive), in
     * corpus order.
     */
    static List<String> answering(List<Document> corpus, List<String> evidence) {
        Set<String> ids = new LinkedHashSet<>();
        for (Document doc : corpus) {
            String text = doc.text().toLowerCase(Locale.ROOT);
            for (String phrase : evidence) {
                if (text.contains(phrase.toLowerCase(Locale.ROOT))) {
                    ids.add(doc.id());
                }
            }
        }
        return List.copyOf(ids);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    static String resource(String name) {
        try (InputStream in = LabelledSet.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
