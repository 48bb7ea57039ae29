package dev.embedflow.qa.llm;

import dev.embedflow.model.Embedder;
import dev.embedflow.model.Embedding;
import dev.embedflow.model.TruncationPolicy;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The local answerer, honest about what it is: no generative model runs here, so it answers with
 * the retrieved passages' sentences most similar to the question (cosine of all-MiniLM-L6-v2
 * vectors, the model already shipped), quoted verbatim, each followed by the {@code [n]} of its
 * passage, best first. It writes nothing of its own; its model name says so ({@value #NAME}).
 */
public final class ExtractiveModel implements ChatModel {

    /** The model name clients ask for. */
    public static final String NAME = "embedflow-extractive";

    /** The most sentences scored per question (the first passages' first). */
    static final int MAX_SENTENCES = 256;

    /** Sentences less similar to the question than this are not quoted (unless none is). */
    static final double MIN_COSINE = 0.2;

    private final Embedder embedder;
    private final int sentences;

    /**
     * @param embedder the sentence model (all-MiniLM-L6-v2)
     * @param sentences how many sentences an answer quotes at most
     */
    public ExtractiveModel(Embedder embedder, int sentences) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        if (sentences < 1) {
            throw new IllegalArgumentException("qa.extractive.sentences must be at least 1");
        }
        this.sentences = sentences;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean generative() {
        return false;
    }

    /** A sentence of a passage. */
    record Sentence(String text, int passage) {}

    /** A sentence and its cosine to the question. */
    record Scored(Sentence sentence, double cosine) {}

    @Override
    public Generation generate(Prompt prompt, Consumer<String> onDelta) {
        List<Sentence> candidates = sentences(prompt.passages());
        if (candidates.isEmpty()) {
            String none = "The retrieved documents have no text to quote.";
            onDelta.accept(none);
            return new Generation(none, "stop", Tokens.estimate(prompt.messages()), 0);
        }
        List<String> texts = new ArrayList<>(candidates.size() + 1);
        texts.add(prompt.query());
        candidates.forEach(s -> texts.add(s.text()));
        List<Embedding> vectors = embedder.embed(texts, TruncationPolicy.TRUNCATE);
        float[] question = vectors.get(0).vector();
        List<Scored> scored = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            scored.add(
                    new Scored(
                            candidates.get(i),
                            Embedding.cosine(question, vectors.get(i + 1).vector())));
        }
        scored.sort(Comparator.comparingDouble(Scored::cosine).reversed());
        StringBuilder answer = new StringBuilder();
        Set<String> quoted = new HashSet<>();
        String finish = "stop";
        for (Scored s : scored) {
            if (quoted.size() == sentences || (!quoted.isEmpty() && s.cosine() < MIN_COSINE)) {
                break;
            }
            if (!quoted.add(s.sentence().text())) {
                continue;
            }
            String piece =
                    (answer.length() == 0 ? "" : "\n")
                            + s.sentence().text()
                            + " ["
                            + s.sentence().passage()
                            + "]";
            if (Tokens.estimate(answer + piece) > prompt.maxTokens() && answer.length() > 0) {
                finish = "length";
                break;
            }
            answer.append(piece);
            onDelta.accept(piece);
        }
        return new Generation(
                answer.toString(),
                finish,
                Tokens.estimate(prompt.messages()),
                Tokens.estimate(answer.toString()));
    }

    /** The passages' sentences (lines split into sentences), in passage order, at most 256. */
    static List<Sentence> sentences(List<Passage> passages) {
        List<Sentence> out = new ArrayList<>();
        BreakIterator breaks = BreakIterator.getSentenceInstance(Locale.ROOT);
        for (Passage p : passages) {
            for (String line : p.text().split("\\R")) {
                breaks.setText(line);
                int start = breaks.first();
                for (int end = breaks.next();
                        end != BreakIterator.DONE;
                        start = end, end = breaks.next()) {
                    String sentence = line.substring(start, end).strip();
                    if (sentence.codePoints().filter(Character::isLetterOrDigit).count() >= 3) {
                        out.add(new Sentence(sentence, p.number()));
                        if (out.size() == MAX_SENTENCES) {
                            return out;
                        }
                    }
                }
            }
        }
        return out;
    }
}
