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
}
