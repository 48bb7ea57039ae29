package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.embedflow.bench.hosted.HostedApiProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The summary of a cell of rows 9: its median run, spread and fraction of the ceiling. */
class HostedApiBenchmarkTest {

    private static HostedApiBenchmark.Run run(long texts, double seconds, long requests) {
        // 2 texts per admitted request, 50 tokens a text; 1 refused request.
        return new HostedApiBenchmark.Run(
                texts,
                seconds,
                requests,
                requests - 1,
                1,
                texts,
                texts * 50,
                6,
                0,
                texts / 500.0,
                "");
    }

    @Test
    void theMedianRunAndTheSpreadOfRates() {
        HostedApiBenchmark.Cell cell =
                new HostedApiBenchmark.Cell(
                        "EmbedFlow",
                        "defaults",
                        List.of(run(2000, 100, 1001), run(2000, 50, 1001), run(2000, 80, 1001)));

        assertThat(cell.median().seconds()).isEqualTo(80);
        assertThat(cell.spread()).isEqualTo("20.0-40.0");
    }

    @Test
    void theFractionOfTheCeilingUsesTheMedianRunsRequestsAndTokens() {
        HostedApiProfile hosted = HostedApiProfile.hosted(HostedApiProfile.Dialect.OPENAI);
        HostedApiBenchmark.Cell cell =
                new HostedApiBenchmark.Cell("EmbedFlow", "defaults", List.of(run(2000, 80, 1001)));

        // min(300 RPM x 2 texts, 100k TPM / 50 tokens) = 600 texts/min = 10 texts/s; 25 achieved.
        assertThat(cell.ceilingFraction(hosted)).isCloseTo(2.5, within(1e-9));
        assertThat(cell.describe(hosted))
                .contains("median of 1 runs (25.0-25.0 texts/s)")
                .contains("2 texts/request")
                .contains("1 429s")
                .contains("at most 6 in flight")
                .contains("0 lost")
                .contains("2.00 CPU-s per 1,000 texts")
                .contains("2.50 of the ceiling");
        assertThat(cell.ceilingFraction(HostedApiProfile.gpu())).isNaN();
    }

    @Test
    void aPeerThatLosesTextsGainsNoRate() {
        HostedApiBenchmark.Run lossy =
                new HostedApiBenchmark.Run(2000, 50, 10, 10, 0, 1000, 50_000, 4, 1000, 1, "");
        assertThat(lossy.rate()).isEqualTo(20.0);
    }

    @Test
    void embedFlowTakesTheProfilesLimitsAsItsCaps() {
        assertThat(
                        HostedApiBenchmark.embedFlowSettings(
                                HostedApiProfile.hosted(HostedApiProfile.Dialect.AZURE)))
                .containsEntry("embedding.rate.requests-per-second", "5.000")
                .containsEntry("embedding.rate.tokens-per-minute", "100000");
        assertThat(HostedApiBenchmark.embedFlowSettings(HostedApiProfile.gpu())).isEmpty();
    }
}
