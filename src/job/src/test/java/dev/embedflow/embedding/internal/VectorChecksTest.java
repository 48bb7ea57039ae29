package dev.embedflow.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VectorChecksTest {

    @Test
    void acceptsAFiniteNonZeroVectorOfTheExpectedDimension() {
        assertThat(VectorChecks.problem(new float[] {0.6f, 0.8f}, 2)).isNull();
    }

    @Test
    void namesWhatIsWrongWithAVector() {
        assertThat(VectorChecks.problem(new float[] {Float.NaN, 1f}, 2)).contains("non-finite");
        assertThat(VectorChecks.problem(new float[] {Float.POSITIVE_INFINITY, 1f}, 2))
                .contains("non-finite");
        assertThat(VectorChecks.problem(new float[] {0f, 0f}, 2)).contains("zero vector");
        assertThat(VectorChecks.problem(new float[] {1f}, 2)).contains("1 dimensions, expected 2");
        assertThat(VectorChecks.problem(new float[0], 2)).contains("empty");
    }
}
