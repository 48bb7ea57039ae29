package dev.embedflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.ModelInfo;
import dev.embedflow.embedding.ProviderKind;
import dev.embedflow.embedding.provider.EmbeddingProviders;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The int8 export of all-MiniLM-L6-v2 as the second local model: its own id, the same tokenizer and
 * dimensions, vectors close to fp32's, and never served under the fp32 name.
 */
class Int8ModelITCase {

    private static final List<String> TEXTS =
            List.of(
                    "A man is eating food.",
                    "A man is eating a piece of bread.",
                    "The new movie is awesome.",
                    "Order acct-17 was refunded after the parcel arrived damaged.",
                    "The warehouse in Lyon shipped 40 pallets of tiles on Tuesday.");

    private static LocalEmbeddingModel fp32;
    private static LocalEmbeddingModel int8;

    @BeforeAll
    static void load() {
        fp32 = LocalEmbeddingModel.acquireShared(LocalModel.MINILM_L6_V2);
        int8 = LocalEmbeddingModel.acquireShared(LocalModel.MINILM_L6_V2_INT8);
    }

    @AfterAll
    static void release() {
        int8.close();
        fp32.close();
    }

    @Test
    void hasItsOwnIdAndTheSameShape() {
        assertThat(int8.modelId()).isEqualTo("all-MiniLM-L6-v2-int8");
        assertThat(int8.modelAliases()).contains("all-MiniLM-L6-v2-q");
        assertThat(int8.dimensions()).isEqualTo(fp32.dimensions()).isEqualTo(384);
        assertThat(int8.countTokens("the parcel has not arrived"))
                .isEqualTo(fp32.countTokens("the parcel has not arrived"));
        assertThat(fp32.modelId()).isEqualTo(LocalEmbeddingModel.MODEL_ID);
    }

    @Test
    void vectorsAreCloseToButNotFp32s() {
        List<Embedding> a = fp32.embed(TEXTS);
        List<Embedding> b = int8.embed(TEXTS);
        double min = 1;
        boolean anyDifferent = false;
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(b.get(i).vector()).hasSize(384);
            double cosine = a.get(i).cosine(b.get(i));
            min = Math.min(min, cosine);
            anyDifferent |= cosine < 0.9999;
        }
        assertThat(min).as("least cosine of int8 to fp32").isGreaterThan(0.95);
        assertThat(anyDifferent).as("int8 vectors differ from fp32's: a separate index").isTrue();
        // It ranks as fp32 does on sentence-transformers' own example.
        assertThat(b.get(0).cosine(b.get(1))).isCloseTo(0.755, within(0.05));
        assertThat(b.get(0).cosine(b.get(2))).isLessThan(b.get(0).cosine(b.get(1)) - 0.5);
    }

    @Test
    void aVectorDependsALittleOnItsBatchUnlikeFp32s() {
        // Dynamic quantization scales activations per tensor, i.e. over the whole batch.
        List<Embedding> batchInt8 = int8.embed(TEXTS);
        List<Embedding> batchFp32 = fp32.embed(TEXTS);
        double min = 1;
        for (int i = 0; i < TEXTS.size(); i++) {
            min = Math.min(min, batchInt8.get(i).cosine(int8.embed(TEXTS.get(i))));
            assertThat(batchFp32.get(i).cosine(fp32.embed(TEXTS.get(i))))
                    .isCloseTo(1.0, within(1e-6));
        }
        assertThat(min).as("least cosine of a text alone and in a batch, int8").isGreaterThan(0.98);
    }

    @Test
    void theLocalProviderServesTheModelEmbeddingModelNames() {
        EmbeddingConfig config =
                EmbeddingConfig.builder(ProviderKind.LOCAL).model("all-MiniLM-L6-v2-int8").build();
        try (EmbeddingProvider provider = EmbeddingProviders.create(config)) {
            provider.open();
            assertThat(provider.probe().join())
                    .isEqualTo(new ModelInfo(ProviderKind.LOCAL, "all-MiniLM-L6-v2-int8", 384));
            float[] vector = provider.embed(List.of(TEXTS.get(3))).join().vectors().get(0);
            assertThat(Embedding.cosine(vector, int8.embed(TEXTS.get(3)).vector()))
                    .isCloseTo(1.0, within(1e-6));
        }
        assertThatThrownBy(
                        () ->
                                EmbeddingProviders.create(
                                        EmbeddingConfig.builder(ProviderKind.LOCAL)
                                                .model("all-MiniLM-L12-v2")
                                                .build()))
                .hasMessageContaining("all-MiniLM-L12-v2")
                .hasMessageContaining("all-MiniLM-L6-v2-int8");
    }
}
