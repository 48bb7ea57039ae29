package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SearchBenchmarkTest {

    @Test
    void exactTopKIsTheBestCosinesOfAllVectorsBestFirst() {
        Random random = new Random(3);
        float[][] vectors = new float[500][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = Benchmark.unitVector(random, 16);
        }
        float[] query = Benchmark.unitVector(random, 16);

        double[] top = SearchBenchmark.Exact.of(vectors, query, 10).scores();

        double[] all =
                Arrays.stream(vectors).mapToDouble(v -> SearchBenchmark.cosine(v, query)).toArray();
        Arrays.sort(all);
        double[] expected = new double[10];
        for (int i = 0; i < 10; i++) {
            expected[i] = all[all.length - 1 - i];
        }
        assertThat(top).containsExactly(expected);
    }

    @Test
    void theCosineOfUnitVectorsIsTheirDotProduct() {
        float[] a = {0.6f, 0.8f};
        float[] b = {0.8f, 0.6f};

        assertThat(SearchBenchmark.cosine(a, a))
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(SearchBenchmark.cosine(a, b))
                .isCloseTo(0.96, org.assertj.core.data.Offset.offset(1e-6));
    }
}
