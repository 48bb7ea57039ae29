package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The labelled questions' ids are exactly the documents their evidence names, in today's corpus;
 * {@code -Dembedflow.docs.update=true} rewrites them after the corpus changes.
 */
class LabelledSetTest {

    private static final Path FILE = Path.of("src/main/resources" + LabelledSet.QUESTIONS);

    @Test
    void everyQuestionListsExactlyTheDocumentsItsEvidenceNames() throws Exception {
        List<LabelledSet.Document> corpus = LabelledSet.corpus();
        boolean update = Boolean.getBoolean("embedflow.docs.update");
        if (update) {
            rewrite(corpus);
        }
        // The file in the source tree (the one committed), not the build's copy.
        List<LabelledSet.Question> questions =
                LabelledSet.parse(Files.readString(FILE, StandardCharsets.UTF_8));
        if (!update) {
            assertThat(questions).as("the build's copy").isEqualTo(LabelledSet.questions());
        }

        assertThat(questions).hasSizeGreaterThanOrEqualTo(30);
        Set<String> ids = new HashSet<>();
        for (LabelledSet.Question q : questions) {
            assertThat(ids.add(q.id())).as("duplicate id %s", q.id()).isTrue();
            assertThat(q.relevant())
                    .as("%s: %s (rerun with -Dembedflow.docs.update=true)", q.id(), q.question())
                    .isNotEmpty()
                    .containsExactlyElementsOf(LabelledSet.answering(corpus, q.evidence()));
        }
        assertThat(questions)
                .anyMatch(q -> q.relevant().get(0).startsWith("customer-"))
                .anyMatch(q -> q.relevant().get(0).startsWith("docs/"));
    }

    @Test
    void theCorpusIsTheSampleBusinessAndTheShopDocuments() {
        List<LabelledSet.Document> corpus = LabelledSet.corpus();

        assertThat(corpus).hasSize(LabelledSet.EVENTS + LabelledSet.DOCUMENTS.size());
        assertThat(corpus.get(0).id()).startsWith("customer-").contains("@").contains("#");
        assertThat(corpus.get(corpus.size() - 1).text()).contains("Replace the filter cartridge");
    }

    @Test
    void scoresGiveReciprocalRankAndRecallAtTen() {
        List<LabelledSet.Question> questions =
                List.of(
                        new LabelledSet.Question("a", "?", List.of(), List.of("x", "y")),
                        new LabelledSet.Question("b", "?", List.of(), List.of("z")));

        RetrievalQuality.Score score =
                RetrievalQuality.score(
                        questions, List.of(List.of("p", "x", "q", "y"), List.of("p", "q")));

        assertThat(score.mrr()).isEqualTo((1.0 / 2 + 0) / 2);
        assertThat(score.recall()).isEqualTo((2.0 / 2 + 0) / 2);
    }

    private static void rewrite(List<LabelledSet.Document> corpus) throws Exception {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root =
                (ObjectNode) json.readTree(Files.readString(FILE, StandardCharsets.UTF_8));
        for (var node : root.withArray("questions")) {
            List<String> evidence = json.convertValue(node.get("evidence"), List.class);
            ArrayNode relevant = ((ObjectNode) node).putArray("relevant");
            LabelledSet.answering(corpus, evidence).forEach(relevant::add);
        }
        Files.writeString(FILE, json.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    }
}
