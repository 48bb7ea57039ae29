package dev.embedflow.bench.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stand-in's RPM and TPM buckets, on a manual clock. */
class RateLimitsTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void requestsPerMinuteAdmitOneBurstThenRefuseWithTheWait() {
        long now = 0;
        RateLimits limits = new RateLimits(120, 0, 1.0, now); // 2 per second, a burst of 2

        assertThat(limits.admit(10, now).admitted()).isTrue();
        assertThat(limits.admit(10, now).admitted()).isTrue();
        RateLimits.Decision refused = limits.admit(10, now);

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.limitedBy()).isEqualTo("requests");
        assertThat(refused.waitNanos()).isEqualTo(SECOND / 2);
        assertThat(refused.remainingRequests()).isZero();
        assertThat(limits.admit(10, now + SECOND / 2).admitted()).isTrue();
    }

    @Test
    void tokensPerMinuteRefuseARequestTheBucketCannotHoldYet() {
        long now = 0;
        RateLimits limits = new RateLimits(0, 6000, 1.0, now); // 100 tokens per second

        assertThat(limits.admit(80, now).admitted()).isTrue();
        RateLimits.Decision refused = limits.admit(50, now);

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.limitedBy()).isEqualTo("tokens");
        assertThat(refused.remainingTokens()).isEqualTo(20);
        assertThat(refused.resetTokensNanos()).isEqualTo(SECOND * 30 / 100);
        assertThat(limits.admit(50, now + SECOND * 30 / 100).admitted()).isTrue();
    }

    @Test
    void aBurstOfSeveralSecondsHoldsThatManySecondsOfTheLimit() {
        RateLimits limits = new RateLimits(60, 0, 5.0, 0); // 1 per second, 5 at once
        int admitted = 0;
        while (limits.admit(1, 0).admitted()) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(5);
    }

    @Test
    void withoutLimitsEverythingIsAdmitted() {
        RateLimits limits = new RateLimits(0, 0, 1.0, 0);
        for (int i = 0; i < 10_000; i++) {
            assertThat(limits.admit(300_000, 0).admitted()).isTrue();
        }
    }

    @Test
    void durationsAreWrittenAsOpenAiWritesThem() {
        assertThat(RateLimits.openAiDuration(TimeUnit.MILLISECONDS.toNanos(120)))
                .isEqualTo("120ms");
        assertThat(RateLimits.openAiDuration(SECOND)).isEqualTo("1s");
        assertThat(RateLimits.openAiDuration(SECOND * 3 / 2)).isEqualTo("1.5s");
        assertThat(RateLimits.openAiDuration(SECOND * 360)).isEqualTo("6m0s");
        assertThat(RateLimits.openAiDuration(-5)).isEqualTo("0ms");
    }
}
