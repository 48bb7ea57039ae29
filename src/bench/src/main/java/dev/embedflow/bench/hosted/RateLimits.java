package dev.embedflow.bench.hosted;

import dev.embedflow.http.TokenBucket;
import java.time.Duration;

/**
 * A hosted API's request and token limits per minute, as two token buckets holding {@code burst}
 * seconds of each: a request is admitted when both have room (and then takes one request and its
 * tokens), otherwise refused with the wait until both would. Thread-safe; time comes from the
 * caller.
 */
final class RateLimits {

    /** What the limiter said. */
    record Decision(
            boolean admitted,
            String limitedBy,
            long waitNanos,
            long remainingRequests,
            long remainingTokens,
            long resetRequestsNanos,
            long resetTokensNanos) {}

    private final int requestsPerMinute;
    private final int tokensPerMinute;
    private final TokenBucket requests;
    private final TokenBucket tokens;

    RateLimits(int requestsPerMinute, int tokensPerMinute, double burstSeconds, long nowNanos) {
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerMinute = tokensPerMinute;
        this.requests =
                requestsPerMinute > 0
                        ? new TokenBucket(
                                requestsPerMinute / 60.0,
                                Math.max(1, requestsPerMinute / 60.0 * burstSeconds),
                                nowNanos)
                        : null;
        this.tokens =
                tokensPerMinute > 0
                        ? new TokenBucket(
                                tokensPerMinute / 60.0,
                                Math.max(1, tokensPerMinute / 60.0 * burstSeconds),
                                nowNanos)
                        : null;
    }

    synchronized Decision admit(int requestTokens, long nowNanos) {
        long waitRequests = requests == null ? 0 : requests.nanosUntilAvailable(1, nowNanos);
        long waitTokens = tokens == null ? 0 : tokens.nanosUntilAvailable(requestTokens, nowNanos);
        boolean admitted = waitRequests == 0 && waitTokens == 0;
        if (admitted) {
            if (requests != null) {
                requests.take(1, nowNanos);
            }
            if (tokens != null) {
                tokens.take(requestTokens, nowNanos);
            }
        }
        return new Decision(
                admitted,
                waitTokens > waitRequests ? "tokens" : "requests",
                Math.max(waitRequests, waitTokens),
                remaining(requests, requestsPerMinute, nowNanos),
                remaining(tokens, tokensPerMinute, nowNanos),
                waitRequests,
                waitTokens);
    }

    private static long remaining(TokenBucket bucket, int limit, long nowNanos) {
        return bucket == null ? limit : Math.max(0, (long) Math.floor(bucket.available(nowNanos)));
    }

    /** OpenAI's duration format: {@code 6m0s}, {@code 1s}, {@code 120ms}. */
    static String openAiDuration(long nanos) {
        Duration d = Duration.ofNanos(Math.max(0, nanos));
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        long minutes = d.toMinutes();
        double seconds = (millis - minutes * 60_000) / 1000.0;
        String s =
                seconds == Math.rint(seconds)
                        ? String.valueOf((long) seconds)
                        : String.format(java.util.Locale.ROOT, "%.3f", seconds)
                                .replaceAll("0+$", "");
        return minutes > 0 ? minutes + "m" + s + "s" : s + "s";
    }
}
