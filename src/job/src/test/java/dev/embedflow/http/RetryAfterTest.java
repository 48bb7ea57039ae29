package dev.embedflow.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    @Test
    void retryAfterInSecondsOrAsAnHttpDate() {
        assertThat(RetryAfter.parse("3", NOW)).hasValue(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse(" 0.5 ", NOW)).hasValue(Duration.ofMillis(500));
        String inTenSeconds =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        NOW.plusSeconds(10).atOffset(ZoneOffset.UTC));
        assertThat(RetryAfter.parse(inTenSeconds, NOW)).hasValue(Duration.ofSeconds(10));
        String past =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        NOW.minusSeconds(10).atOffset(ZoneOffset.UTC));
        assertThat(RetryAfter.parse(past, NOW)).hasValue(Duration.ZERO);
    }

    @Test
    void unreadableOrMissingRetryAfterIsIgnored() {
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
        assertThat(RetryAfter.parse("-1", NOW)).isEmpty();
    }

    @Test
    void azuresMillisecondHeaderWinsOverRetryAfter() {
        assertThat(RetryAfter.of("1500", "9", NOW)).hasValue(Duration.ofMillis(1500));
        assertThat(RetryAfter.of(null, "9", NOW)).hasValue(Duration.ofSeconds(9));
        assertThat(RetryAfter.of("later", "2", NOW)).hasValue(Duration.ofSeconds(2));
        assertThat(RetryAfter.of(null, null, NOW)).isEmpty();
    }

    @Test
    void openAisResetHeadersSayWhenTheSpentLimitRefills() {
        java.util.Map<String, String> tokens =
                java.util.Map.of(
                        "x-ratelimit-remaining-requests", "41",
                        "x-ratelimit-reset-requests", "120ms",
                        "x-ratelimit-remaining-tokens", "0",
                        "x-ratelimit-reset-tokens", "6m0s");
        assertThat(RetryAfter.fromHeaders(tokens::get, NOW)).hasValue(Duration.ofMinutes(6));

        java.util.Map<String, String> requests =
                java.util.Map.of(
                        "x-ratelimit-remaining-requests", "0",
                        "x-ratelimit-reset-requests", "1.5s",
                        "x-ratelimit-remaining-tokens", "9000",
                        "x-ratelimit-reset-tokens", "20ms");
        assertThat(RetryAfter.fromHeaders(requests::get, NOW)).hasValue(Duration.ofMillis(1500));

        java.util.Map<String, String> neitherSpent =
                java.util.Map.of(
                        "x-ratelimit-remaining-tokens", "300",
                        "x-ratelimit-reset-tokens", "2s",
                        "x-ratelimit-reset-requests", "1s");
        assertThat(RetryAfter.fromHeaders(neitherSpent::get, NOW)).hasValue(Duration.ofSeconds(2));
    }

    @Test
    void standardHeadersWinOverOpenAisAndNothingIsNothing() {
        java.util.Map<String, String> both =
                java.util.Map.of("Retry-After", "3", "x-ratelimit-reset-tokens", "6m0s");
        assertThat(RetryAfter.fromHeaders(both::get, NOW)).hasValue(Duration.ofSeconds(3));
        assertThat(RetryAfter.fromHeaders(name -> null, NOW)).isEmpty();
        assertThat(RetryAfter.openAiDuration("1h2m3s")).hasValue(Duration.ofSeconds(3723));
        assertThat(RetryAfter.openAiDuration("soon")).isEmpty();
    }
}
