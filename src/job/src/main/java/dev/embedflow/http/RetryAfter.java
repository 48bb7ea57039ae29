package dev.embedflow.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The wait a rate-limited (429) or unavailable (503) HTTP service asks for: the standard {@code
 * Retry-After} header (delay-seconds or an HTTP date, RFC 9110) or Azure OpenAI's {@code
 * retry-after-ms}.
 */
@PublicEvolving
public final class RetryAfter {

    /** The standard header. */
    public static final String HEADER = "Retry-After";

    /** Azure OpenAI's header, in milliseconds; it wins over {@link #HEADER} when both are sent. */
    public static final String MS_HEADER = "retry-after-ms";

    private RetryAfter() {}

    /**
     * The wait asked for by {@code retryAfterMs} (the value of {@link #MS_HEADER}) or else {@code
     * retryAfter} (the value of {@link #HEADER}); empty when neither is present and readable.
     */
    public static Optional<Duration> of(String retryAfterMs, String retryAfter, Instant now) {
        if (retryAfterMs != null && !retryAfterMs.isBlank()) {
            try {
                double ms = Double.parseDouble(retryAfterMs.trim());
                if (ms >= 0 && !Double.isInfinite(ms)) {
                    return Optional.of(Duration.ofMillis((long) Math.ceil(ms)));
                }
            } catch (NumberFormatException unreadable) {
                // fall back to Retry-After
            }
        }
        return parse(retryAfter, now);
    }

    /**
     * The wait a {@code Retry-After} header asks for: delay-seconds or an HTTP date (RFC 9110);
     * empty when absent or unreadable. A date in the past is a zero wait.
     */
    public static Optional<Duration> parse(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        try {
            double seconds = Double.parseDouble(value);
            if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at =
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
