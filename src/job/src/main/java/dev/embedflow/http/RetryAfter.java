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
 * Retry-After} header (delay-seconds or an HTTP date, RFC 9110), Azure OpenAI's {@code
 * retry-after-ms}, or, from OpenAI (which sends neither), its {@code x-ratelimit-reset-requests}
 * and {@code x-ratelimit-reset-tokens} headers.
 */
@PublicEvolving
public final class RetryAfter {

    /** The standard header. */
    public static final String HEADER = "Retry-After";

    /** Azure OpenAI's header, in milliseconds; it wins over {@link #HEADER} when both are sent. */
    public static final String MS_HEADER = "retry-after-ms";

    /** OpenAI's rate-limit headers. */
    public static final String OPENAI_REMAINING_REQUESTS = "x-ratelimit-remaining-requests";

    public static final String OPENAI_RESET_REQUESTS = "x-ratelimit-reset-requests";
    public static final String OPENAI_REMAINING_TOKENS = "x-ratelimit-remaining-tokens";
    public static final String OPENAI_RESET_TOKENS = "x-ratelimit-reset-tokens";

    private static final java.util.regex.Pattern OPENAI_DURATION =
            java.util.regex.Pattern.compile(
                    "(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+(?:\\.\\d+)?)s)?(?:(\\d+(?:\\.\\d+)?)ms)?");

    private RetryAfter() {}

    /**
     * The wait the headers of a 429 or 503 ask for ({@code header} looks one up by name, any case):
     * {@code retry-after-ms}, else {@code Retry-After}, else OpenAI's reset time of the limit that
     * is spent (remaining 0; the token limit when neither says 0, as a batch's tokens are what a
     * request most often lacks).
     */
    public static Optional<Duration> fromHeaders(
            java.util.function.Function<String, String> header, Instant now) {
        Optional<Duration> standard = of(header.apply(MS_HEADER), header.apply(HEADER), now);
        if (standard.isPresent()) {
            return standard;
        }
        Optional<Duration> requests = openAiDuration(header.apply(OPENAI_RESET_REQUESTS));
        Optional<Duration> tokens = openAiDuration(header.apply(OPENAI_RESET_TOKENS));
        boolean requestsSpent = "0".equals(trim(header.apply(OPENAI_REMAINING_REQUESTS)));
        boolean tokensSpent = "0".equals(trim(header.apply(OPENAI_REMAINING_TOKENS)));
        Optional<Duration> wait = Optional.empty();
        if (requestsSpent) {
            wait = requests;
        }
        if (tokensSpent || (!requestsSpent && tokens.isPresent())) {
            wait = max(wait, tokens);
        }
        return wait.isPresent() ? wait : requests;
    }

    /** OpenAI's duration format: {@code 1s}, {@code 6m0s}, {@code 120ms}, {@code 1.5s}. */
    static Optional<Duration> openAiDuration(String value) {
        String v = trim(value);
        if (v == null || v.isEmpty()) {
            return Optional.empty();
        }
        java.util.regex.Matcher m = OPENAI_DURATION.matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        double millis = 0;
        millis += m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 3_600_000.0;
        millis += m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 60_000.0;
        millis += m.group(3) == null ? 0 : Double.parseDouble(m.group(3)) * 1000;
        millis += m.group(4) == null ? 0 : Double.parseDouble(m.group(4));
        return Optional.of(Duration.ofMillis((long) Math.ceil(millis)));
    }

    private static Optional<Duration> max(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().compareTo(b.get()) >= 0 ? a : b;
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }

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
