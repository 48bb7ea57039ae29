package dev.embedflow.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.embedding.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseClassifierTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    @ParameterizedTest
    @CsvSource({
        "200, SUCCESS",
        "429, RETRYABLE_RATE_LIMITED",
        "503, RETRYABLE_SERVER",
        "500, RETRYABLE_SERVER",
        "502, RETRYABLE_SERVER",
        "424, RETRYABLE_SERVER",
        "408, RETRYABLE_TIMEOUT",
        "400, SPLIT_BATCH",
        "413, SPLIT_BATCH",
        "422, SPLIT_BATCH",
        "401, FATAL",
        "403, FATAL",
        "404, FATAL",
        "405, FATAL"
    })
    void namesTheOutcomeOfEveryStatus(int status, Outcome expected) {
        assertThat(ResponseClassifier.classify(status)).isEqualTo(expected);
    }

    @Test
    void timeoutsAndConnectionErrorsAreRetryableEvenWhenWrapped() {
        assertThat(ResponseClassifier.classify(new CompletionException(new TimeoutException("t"))))
                .isEqualTo(Outcome.RETRYABLE_TIMEOUT);
        assertThat(ResponseClassifier.classify(new ConnectException("refused")))
                .isEqualTo(Outcome.RETRYABLE_CONNECTION);
        assertThat(ResponseClassifier.classify(new IOException("reset")))
                .isEqualTo(Outcome.RETRYABLE_CONNECTION);
        assertThat(ResponseClassifier.classify(new IllegalStateException("bug")))
                .isEqualTo(Outcome.FATAL);
    }

    @Test
    void retryAfterInSecondsOrAsAnHttpDate() {
        assertThat(ResponseClassifier.parseRetryAfter("3", NOW)).hasValue(Duration.ofSeconds(3));
        assertThat(ResponseClassifier.parseRetryAfter(" 0.5 ", NOW))
                .hasValue(Duration.ofMillis(500));
        String inTenSeconds =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        NOW.plusSeconds(10).atOffset(ZoneOffset.UTC));
        assertThat(ResponseClassifier.parseRetryAfter(inTenSeconds, NOW))
                .hasValue(Duration.ofSeconds(10));
        String past =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        NOW.minusSeconds(10).atOffset(ZoneOffset.UTC));
        assertThat(ResponseClassifier.parseRetryAfter(past, NOW)).hasValue(Duration.ZERO);
    }

    @Test
    void unreadableOrMissingRetryAfterIsIgnored() {
        assertThat(ResponseClassifier.parseRetryAfter(null, NOW)).isEmpty();
        assertThat(ResponseClassifier.parseRetryAfter("soon", NOW)).isEmpty();
        assertThat(ResponseClassifier.parseRetryAfter("-1", NOW)).isEmpty();
    }
}
