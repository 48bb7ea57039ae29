package dev.embedflow.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.embedding.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseClassifierTest {

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
}
