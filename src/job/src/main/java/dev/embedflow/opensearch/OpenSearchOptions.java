package dev.embedflow.opensearch;

import java.time.Duration;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Every OpenSearch setting of EmbedFlow (connection, index, sink), as typed Flink options read from
 * {@code config.yaml} or {@code -D} flags. Secrets are never options: only the environment variable
 * or file that holds them.
 */
@PublicEvolving
public final class OpenSearchOptions {

    private OpenSearchOptions() {}

    /** How requests authenticate. */
    public enum AuthType {
        /** No authentication (a local node). */
        NONE,
        /** HTTP basic auth: a user name and a password from an environment variable or a file. */
        BASIC,
        /**
         * AWS Signature V4 (Amazon OpenSearch Service, or Serverless with service {@code aoss}).
         */
        AWS_SIGV4
    }

    // ---- connection

    public static final ConfigOption<List<String>> HOSTS =
            ConfigOptions.key("opensearch.hosts")
                    .stringType()
                    .asList()
                    .defaultValues("http://localhost:9200")
                    .withDescription(
                            "OpenSearch URLs (scheme://host:port), separated by ';'. Every host"
                                    + " must use the same scheme.");

    public static final ConfigOption<AuthType> AUTH_TYPE =
            ConfigOptions.key("opensearch.auth.type")
                    .enumType(AuthType.class)
                    .defaultValue(AuthType.NONE)
                    .withDescription("Authentication: NONE, BASIC or AWS_SIGV4.");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("opensearch.auth.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("User name for BASIC auth.");

    public static final ConfigOption<String> PASSWORD_ENV =
            ConfigOptions.key("opensearch.auth.password-env")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Environment variable holding the BASIC auth password (set exactly"
                                    + " one of password-env and password-file).");

    public static final ConfigOption<String> PASSWORD_FILE =
            ConfigOptions.key("opensearch.auth.password-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "File holding the BASIC auth password, e.g. a mounted Kubernetes"
                                    + " secret.");

    public static final ConfigOption<String> AWS_REGION =
            ConfigOptions.key("opensearch.aws.region")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "AWS region of the domain or collection for AWS_SIGV4, e.g."
                                    + " eu-west-1. Credentials come from the AWS default chain"
                                    + " (environment, web identity / IRSA, instance profile).");

    public static final ConfigOption<String> AWS_SERVICE =
            ConfigOptions.key("opensearch.aws.service")
                    .stringType()
                    .defaultValue("es")
                    .withDescription(
                            "Signing service name: 'es' for Amazon OpenSearch Service, 'aoss' for"
                                    + " OpenSearch Serverless.");

    public static final ConfigOption<String> TLS_CA_FILE =
            ConfigOptions.key("opensearch.tls.ca-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "PEM file with the CA certificate(s) to trust for HTTPS, instead of the"
                                    + " JVM's default trust store.");

    public static final ConfigOption<String> TLS_TRUST_STORE =
            ConfigOptions.key("opensearch.tls.trust-store")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Trust store file (PKCS12 or JKS) for HTTPS.");

    public static final ConfigOption<String> TLS_TRUST_STORE_TYPE =
            ConfigOptions.key("opensearch.tls.trust-store-type")
                    .stringType()
                    .defaultValue("PKCS12")
                    .withDescription("Type of the trust store: PKCS12 or JKS.");

    public static final ConfigOption<String> TLS_TRUST_STORE_PASSWORD_ENV =
            ConfigOptions.key("opensearch.tls.trust-store-password-env")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Environment variable holding the trust store password, if it has"
                                    + " one.");

    public static final ConfigOption<Boolean> TLS_INSECURE =
            ConfigOptions.key("opensearch.tls.insecure-skip-verify")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Trust any server certificate and host name. For throwaway test"
                                    + " clusters only: it makes HTTPS open to interception.");

    public static final ConfigOption<Duration> CONNECT_TIMEOUT =
            ConfigOptions.key("opensearch.connect-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Timeout to open a connection.");

    public static final ConfigOption<Duration> RESPONSE_TIMEOUT =
            ConfigOptions.key("opensearch.response-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription("Timeout to wait for a response.");

    // ---- index

    public static final ConfigOption<String> INDEX_BASE_NAME =
            ConfigOptions.key("opensearch.index.base-name")
                    .stringType()
                    .defaultValue("embedflow")
                    .withDescription(
                            "Base of the index name: the index is <base>-<model slug>-v<version>,"
                                    + " e.g. embedflow-all-minilm-l6-v2-v1.");

    public static final ConfigOption<String> INDEX_ALIAS =
            ConfigOptions.key("opensearch.index.alias")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Alias that readers use; defaults to the base name. Set on the first"
                                    + " index, moved by `embedflow index promote`.");

    public static final ConfigOption<Integer> INDEX_VERSION =
            ConfigOptions.key("opensearch.index.version")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Version in the index name: raise it to rebuild with a new mapping.");

    public static final ConfigOption<String> KNN_ENGINE =
            ConfigOptions.key("opensearch.index.knn.engine")
                    .stringType()
                    .defaultValue("lucene")
                    .withDescription("k-NN engine of the HNSW graph: lucene or faiss.");

    public static final ConfigOption<String> KNN_SPACE_TYPE =
            ConfigOptions.key("opensearch.index.knn.space-type")
                    .stringType()
                    .defaultValue("cosinesimil")
                    .withDescription("Vector similarity: cosinesimil, l2 or innerproduct.");

    public static final ConfigOption<Integer> KNN_M =
            ConfigOptions.key("opensearch.index.knn.m")
                    .intType()
                    .defaultValue(16)
                    .withDescription("HNSW m: links per node.");

    public static final ConfigOption<Integer> KNN_EF_CONSTRUCTION =
            ConfigOptions.key("opensearch.index.knn.ef-construction")
                    .intType()
                    .defaultValue(128)
                    .withDescription("HNSW ef_construction: candidate list size while building.");

    public static final ConfigOption<Integer> INDEX_SHARDS =
            ConfigOptions.key("opensearch.index.shards")
                    .intType()
                    .defaultValue(1)
                    .withDescription("Primary shards of a new index.");

    public static final ConfigOption<Integer> INDEX_REPLICAS =
            ConfigOptions.key("opensearch.index.replicas")
                    .intType()
                    .defaultValue(1)
                    .withDescription("Replicas of a new index.");

    // ---- sink

    public static final ConfigOption<Integer> BULK_MAX_ACTIONS =
            ConfigOptions.key("opensearch.sink.bulk.max-actions")
                    .intType()
                    .defaultValue(500)
                    .withDescription("Send a bulk request once this many actions are buffered.");

    public static final ConfigOption<MemorySize> BULK_MAX_SIZE =
            ConfigOptions.key("opensearch.sink.bulk.max-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("5mb"))
                    .withDescription("Send a bulk request once the buffered actions are this big.");

    public static final ConfigOption<Duration> BULK_INTERVAL =
            ConfigOptions.key("opensearch.sink.bulk.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("Send whatever is buffered at least this often.");

    public static final ConfigOption<Integer> MAX_BUFFERED_ACTIONS =
            ConfigOptions.key("opensearch.sink.max-buffered-actions")
                    .intType()
                    .defaultValue(5_000)
                    .withDescription(
                            "Most actions a writer holds (buffered, in flight or waiting for a"
                                    + " retry); beyond it the writer backpressures.");

    public static final ConfigOption<MemorySize> MAX_BUFFERED_SIZE =
            ConfigOptions.key("opensearch.sink.max-buffered-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("32mb"))
                    .withDescription(
                            "Most bytes of rendered actions a writer holds (buffered, in flight or"
                                    + " waiting for a retry); beyond it the writer backpressures,"
                                    + " so that large documents cannot exhaust the heap.");

    public static final ConfigOption<Integer> BULK_MAX_IN_FLIGHT =
            ConfigOptions.key("opensearch.sink.bulk.max-in-flight")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Most bulk requests a writer has in flight. Versioned actions (the"
                                    + " streaming job's: OpenSearch's external versioning keeps the"
                                    + " newest version of each document whatever order bulks"
                                    + " arrive in) use them all; unversioned actions (the batch"
                                    + " job's) and entity deletes go one request at a time.");

    public static final ConfigOption<Duration> BACKOFF_INITIAL =
            ConfigOptions.key("opensearch.sink.backoff.initial")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription("First retry delay; doubles up to the maximum.");

    public static final ConfigOption<Duration> BACKOFF_MAX =
            ConfigOptions.key("opensearch.sink.backoff.max")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("Longest retry delay.");

    public static final ConfigOption<Integer> MAX_ITEM_RETRIES =
            ConfigOptions.key("opensearch.sink.max-item-retries")
                    .intType()
                    .defaultValue(30)
                    .withDescription(
                            "Retries of one action that OpenSearch keeps rejecting as overloaded"
                                    + " (429) before it goes to the dead-letter topic. An"
                                    + " unreachable cluster is retried without limit.");
}
