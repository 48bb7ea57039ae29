package dev.embedflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the real all-MiniLM-L6-v2 (an ITCase: it loads a 90 MB native model and runs a few thousand
 * texts of inference, several seconds on a small machine, which does not belong in the fast unit
 * test phase).
 */
class LocalEmbeddingModelITCase {

    /** Words the tokenizer keeps whole, so that a text of n of them has n + 2 tokens. */
    private static final String[] SINGLE_TOKEN_WORDS =
            "the quick brown fox jumps over a lazy dog and then runs home".split(" ");

    private static LocalEmbeddingModel model;

    @BeforeAll
    static void loadModel() {
        model = LocalEmbeddingModel.acquireShared();
    }

    @AfterAll
    static void releaseModel() {
        model.close();
    }

    @Test
    void similarSentencesScoreAsSentenceTransformersDoes() {
        List<Embedding> e =
                model.embed(
                        List.of(
                                "A man is eating food.",
                                "A man is eating a piece of bread.",
                                "The new movie is awesome."));

        double similar = e.get(0).cosine(e.get(1));
        double unrelated = e.get(0).cosine(e.get(2));

        assertThat(similar).isCloseTo(0.755, within(0.01));
        assertThat(unrelated).isLessThan(similar - 0.5);
    }

    @Test
    void vectorsHave384DimensionsAndUnitNorm() {
        for (Embedding e : model.embed(List.of("short", words(100), "Ünïcödé and emoji 😀 too"))) {
            assertThat(e.dimensions()).isEqualTo(384);
            assertThat(e.vector()).hasSize(384);
            assertThat(norm(e.vector())).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void batchOfMixedLengthsGivesTheSameVectorsAsOneByOne() {
        List<String> texts =
                List.of(
                        words(150),
                        "Hi.",
                        "A man is eating food.",
                        words(37),
                        "",
                        words(3),
                        "The quick brown fox jumps over the lazy dog near the river bank today.",
                        words(254));

        List<Embedding> batch = model.embed(texts);

        assertThat(batch).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            Embedding alone = model.embed(texts.get(i));
            assertThat(batch.get(i).tokenCount())
                    .as("tokens of input %d", i)
                    .isEqualTo(alone.tokenCount());
            assertThat(maxAbsDiff(batch.get(i).vector(), alone.vector()))
                    .as("max abs difference for input %d", i)
                    .isLessThan(1e-5);
        }
    }

    @Test
    void textOfAbout200TokensIsEmbeddedWholeNotCutAt128() {
        String text = words(198);
        String first128Tokens = words(126);
        assertThat(model.countTokens(first128Tokens)).isEqualTo(128);

        Embedding whole = model.embed(text);
        Embedding prefix = model.embed(first128Tokens);

        assertThat(whole.tokenCount()).isEqualTo(200);
        assertThat(whole.truncated()).isFalse();
        assertThat(whole.originalTokenCount()).isEqualTo(200);
        assertThat(maxAbsDiff(whole.vector(), prefix.vector())).isGreaterThan(1e-3);
    }

    @Test
    void textOfExactly256TokensIsAccepted() {
        Embedding e = model.embed(words(254));

        assertThat(e.tokenCount()).isEqualTo(256);
        assertThat(e.truncated()).isFalse();
    }

    @Test
    void textOver256TokensIsAnErrorNamingItsIndexAndTokenCount() {
        String tooLong = words(300);

        assertThatThrownBy(() -> model.embed(List.of("fine", tooLong)))
                .isInstanceOfSatisfying(
                        TokenLimitExceededException.class,
                        e -> {
                            assertThat(e.inputIndex()).isEqualTo(1);
                            assertThat(e.tokenCount()).isEqualTo(302);
                            assertThat(e.limit()).isEqualTo(256);
                        })
                .hasMessageContaining("input 1 has 302 tokens")
                .hasMessageContaining("256");
    }

    @Test
    void asyncCallWithATextOverTheLimitFailsTheFuture() {
        CompletableFuture<List<Embedding>> future = model.embedAsync(List.of(words(400)));

        assertThatThrownBy(future::join)
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TokenLimitExceededException.class);
    }

    @Test
    void truncationOnRequestKeepsTheFirst256TokensAndFlagsTheResult() {
        String tooLong = words(300);
        String first256Tokens = words(254);

        Embedding truncated = model.embed(List.of(tooLong), TruncationPolicy.TRUNCATE).get(0);
        Embedding reference = model.embed(first256Tokens);

        assertThat(truncated.truncated()).isTrue();
        assertThat(truncated.tokenCount()).isEqualTo(256);
        assertThat(truncated.originalTokenCount()).isEqualTo(302);
        assertThat(maxAbsDiff(truncated.vector(), reference.vector())).isLessThan(1e-5);
    }

    @Test
    void truncationPolicyLeavesShortTextsUnflagged() {
        Embedding e = model.embed(List.of("A short text."), TruncationPolicy.TRUNCATE).get(0);

        assertThat(e.truncated()).isFalse();
        assertThat(e.originalTokenCount()).isEqualTo(e.tokenCount());
    }

    @Test
    void emptyTextIsEmbeddedAsClsSepLikeWhitespaceOnlyText() {
        Embedding empty = model.embed("");
        Embedding blank = model.embed("   \n\t");

        assertThat(model.countTokens("")).isEqualTo(2);
        assertThat(empty.tokenCount()).isEqualTo(2);
        assertThat(norm(empty.vector())).isCloseTo(1.0, within(1e-5));
        assertThat(maxAbsDiff(empty.vector(), blank.vector())).isLessThan(1e-6);
    }

    @Test
    void emptyListGivesEmptyResult() {
        assertThat(model.embed(List.of())).isEmpty();
    }

    @Test
    void nullTextIsRejected() {
        List<String> texts = new ArrayList<>();
        texts.add("ok");
        texts.add(null);

        assertThatThrownBy(() -> model.embed(texts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input 1 is null");
    }

    @Test
    void countTokensIncludesSpecialTokensAndMatchesEmbedding() {
        assertThat(model.countTokens("A man is eating food.")).isEqualTo(8);
        assertThat(model.embed("A man is eating food.").tokenCount()).isEqualTo(8);
    }

    @Test
    void tokenSpansPointIntoTheJavaStringEvenAfterEmoji() {
        String text = "héllo 😀 unbelievably café";

        List<TokenSpan> spans = model.tokenSpans(text);

        assertThat(spans).hasSize(model.countTokens(text) - 2);
        List<String> pieces = spans.stream().map(s -> text.substring(s.start(), s.end())).toList();
        assertThat(pieces.get(0)).isEqualTo("héllo");
        assertThat(pieces.get(1)).isEqualTo("😀");
        assertThat(String.join("", pieces.subList(2, pieces.size() - 1))).isEqualTo("unbelievably");
        assertThat(pieces.get(pieces.size() - 1)).isEqualTo("café");
    }

    @Test
    void concurrentCallersEachGetTheirOwnResults() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            texts.add(
                    "Sentence number "
                            + i
                            + " is about "
                            + SINGLE_TOKEN_WORDS[i % 13]
                            + " "
                            + words(i % 20));
        }
        List<Embedding> expected = new ArrayList<>();
        for (String text : texts) {
            expected.add(model.embed(text));
        }

        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<List<Embedding>>> futures = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int offset = t;
                futures.add(
                        pool.submit(
                                () -> {
                                    List<String> mine = new ArrayList<>();
                                    for (int i = offset; i < texts.size(); i += 6) {
                                        mine.add(texts.get(i));
                                    }
                                    return model.embed(mine);
                                }));
            }
            for (int t = 0; t < 6; t++) {
                List<Embedding> got = futures.get(t).get(60, TimeUnit.SECONDS);
                int k = 0;
                for (int i = t; i < texts.size(); i += 6) {
                    assertThat(maxAbsDiff(got.get(k++).vector(), expected.get(i).vector()))
                            .as("text %d from thread %d", i, t)
                            .isLessThan(1e-5);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fullQueueFailsFastWithBusyExceptionAndRecovers() {
        try (LocalEmbeddingModel small =
                LocalEmbeddingModel.create(LocalModelConfig.defaults().withMaxQueuedTexts(64))) {
            List<String> longTexts = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                longTexts.add(words(250));
            }
            // 64 texts of 252 tokens keep the lane busy for seconds; the next submit comes within
            // microseconds, while all 64 are still counted as waiting or running.
            CompletableFuture<List<Embedding>> busy = small.embedAsync(longTexts);
            CompletableFuture<List<Embedding>> rejected = small.embedAsync(List.of("one more"));

            assertThatThrownBy(rejected::join).hasCauseInstanceOf(EmbedderBusyException.class);
            assertThat(busy.join()).hasSize(64);
            assertThat(small.embed("one more").tokenCount()).isEqualTo(4);
        }
    }

    @Test
    void privateModelRejectsRequestsLargerThanItsQueueAndRefusesWorkAfterClose() {
        LocalEmbeddingModel small =
                LocalEmbeddingModel.create(LocalModelConfig.defaults().withMaxQueuedTexts(2));
        try {
            assertThatThrownBy(() -> small.embed(List.of("a", "b", "c")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3 texts");
            assertThat(small.embed(List.of("a", "b"))).hasSize(2);
        } finally {
            small.close();
        }

        assertThatThrownBy(() -> small.embed("a"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> small.countTokens("a")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closedHandleRefusesWorkWhileOtherSharedReferencesKeepWorking() {
        LocalEmbeddingModel second = LocalEmbeddingModel.acquireShared();
        second.close();
        second.close(); // idempotent: must not release the reference held by this class twice

        assertThatThrownBy(() -> second.embed("x")).isInstanceOf(IllegalStateException.class);
        assertThat(model.embed("still works").dimensions()).isEqualTo(384);
    }

    private static String words(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(SINGLE_TOKEN_WORDS[i % SINGLE_TOKEN_WORDS.length]);
        }
        return sb.toString();
    }

    static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
