package dev.embedflow.opensearch;

import java.net.URI;
import javax.net.ssl.TrustManager;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.aws.AwsSdk2Transport;
import org.opensearch.client.transport.aws.AwsSdk2TransportOptions;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * opensearch-java's AWS SigV4 transport. The only class that uses the AWS SDK, so that the lean job
 * jar, which leaves the SDK out, loads every other class; {@link OpenSearchConnectionConfig}
 * refuses {@code AWS_SIGV4} with a clear message when the SDK is missing.
 */
final class AwsSigV4Transport {

    private AwsSigV4Transport() {}

    /** The transport for {@code config}, credentials from the AWS default chain. */
    static OpenSearchTransport create(OpenSearchConnectionConfig config, TrustManager[] trust) {
        return create(config, trust, DefaultCredentialsProvider.builder().build());
    }

    /** A connection signed with {@code credentials} instead of the default chain. */
    static OpenSearchConnection open(
            OpenSearchConnectionConfig config, AwsCredentialsProvider credentials) {
        return OpenSearchConnection.open(config, trust -> create(config, trust, credentials));
    }

    private static OpenSearchTransport create(
            OpenSearchConnectionConfig config,
            TrustManager[] trust,
            AwsCredentialsProvider credentials) {
        ApacheHttpClient.Builder http =
                ApacheHttpClient.builder()
                        .connectionTimeout(config.connectTimeout())
                        .socketTimeout(config.responseTimeout());
        if (trust != null) {
            http.tlsTrustManagersProvider(() -> trust);
        }
        SdkHttpClient httpClient = http.build();
        URI host = config.hosts().get(0);
        String endpoint =
                host.getPort() > 0 ? host.getHost() + ":" + host.getPort() : host.getHost();
        return new AwsSdk2Transport(
                httpClient,
                endpoint,
                config.awsService(),
                Region.of(config.awsRegion().orElseThrow()),
                AwsSdk2TransportOptions.builder()
                        .setCredentials(credentials)
                        .setMapper(new JacksonJsonpMapper())
                        .build());
    }
}
