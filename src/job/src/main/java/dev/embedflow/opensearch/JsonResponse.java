package dev.embedflow.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.apache.flink.annotation.Internal;

/**
 * An OpenSearch response: the HTTP status and the JSON body ({@link MissingNode} if it had none or
 * it was not JSON).
 */
@Internal
public record JsonResponse(int status, JsonNode body) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** {@code error.type} of an error response, or an empty string. */
    public String errorType() {
        return body.path("error").path("type").asText("");
    }

    /** {@code error.reason} of an error response, or the status. */
    public String errorReason() {
        JsonNode error = body.path("error");
        if (error.isTextual()) {
            return error.asText();
        }
        String reason = error.path("reason").asText("");
        return reason.isEmpty() ? "HTTP " + status : reason;
    }

    /** The exception for this (failed) response to {@code what}, e.g. "search in embedflow". */
    public OpenSearchConnectionException failure(String what) {
        return new OpenSearchConnectionException(
                what + " failed: HTTP " + status + " " + errorType() + ": " + errorReason(),
                status,
                null);
    }
}
