package dev.embedflow.sink.internal;

import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * What to do with one bulk item, or with a whole request, given OpenSearch's answer. Every answer
 * is classified here and nowhere else.
 */
@Internal
public enum Outcome {
    /** Stored (or, for a delete, already absent). */
    SUCCESS,
    /** The index already holds a newer version of the document (external versioning): done. */
    SUPERSEDED,
    /** OpenSearch is overloaded or briefly unable: send again after a backoff. */
    RETRY,
    /** This document cannot be stored as it is: dead-letter it with the reason, go on. */
    DEAD_LETTER,
    /** The request as a whole is wrong (credentials, permissions, size): fail the job. */
    FATAL;

    private static final Set<String> REJECTED_EXECUTION =
            Set.of(
                    "es_rejected_execution_exception",
                    "opensearch_rejected_execution_exception",
                    "rejected_execution_exception",
                    "circuit_breaking_exception",
                    "unavailable_shards_exception",
                    "process_cluster_event_timeout_exception");

    /** Classifies one item of a bulk response. */
    public static Outcome ofItem(String operation, int status, String errorType) {
        if (status >= 200 && status < 300) {
            return SUCCESS;
        }
        if (status == 404 && "delete".equals(operation) && errorType.isEmpty()) {
            return SUCCESS;
        }
        if (status == 409 && "version_conflict_engine_exception".equals(errorType)) {
            return SUPERSEDED;
        }
        if (status == 429 || status >= 500 || REJECTED_EXECUTION.contains(errorType)) {
            return RETRY;
        }
        // mapper_parsing_exception, document_parsing_exception, illegal_argument_exception,
        // strict_dynamic_mapping_exception, version conflicts, ...: this document only.
        return DEAD_LETTER;
    }

    /** Classifies the HTTP status of a whole request that got an answer. */
    public static Outcome ofRequest(int status) {
        if (status >= 200 && status < 300) {
            return SUCCESS;
        }
        if (status == 429 || status == 502 || status == 503 || status == 504 || status == 500) {
            return RETRY;
        }
        return FATAL;
    }
}
