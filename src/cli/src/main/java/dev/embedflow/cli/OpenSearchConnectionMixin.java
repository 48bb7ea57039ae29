package dev.embedflow.cli;

import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import dev.embedflow.opensearch.SecretSource;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The OpenSearch connection options every command that talks to OpenSearch takes. */
final class OpenSearchConnectionMixin {

    @Option(
            names = "--opensearch",
            paramLabel = "URL",
            split = ",",
            description = "OpenSearch URL(s) (default: ${DEFAULT-VALUE}).")
    List<String> hosts = List.of("http://localhost:9200");

    @Option(names = "--user", description = "User name for basic auth.")
    String user;

    @Option(
            names = "--password-env",
            paramLabel = "VAR",
            description = "Environment variable with the basic auth password.")
    String passwordEnv;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "File with the basic auth password.")
    Path passwordFile;

    @Option(
            names = "--ca-file",
            paramLabel = "PEM",
            description = "CA certificate(s) to trust for HTTPS.")
    Path caFile;

    @Option(
            names = "--insecure",
            description = "Do not verify the server certificate (test clusters only).")
    boolean insecure;

    @Option(
            names = "--aws-region",
            description = "Sign requests with AWS SigV4 for this region (Amazon OpenSearch).")
    String awsRegion;

    @Option(
            names = "--aws-service",
            description = "SigV4 service: es or aoss (default: ${DEFAULT-VALUE}).")
    String awsService = "es";

    OpenSearchConnectionConfig config() {
        OpenSearchConnectionConfig.Builder b = OpenSearchConnectionConfig.builder();
        hosts.forEach(b::host);
        if (user != null) {
            if ((passwordEnv == null) == (passwordFile == null)) {
                throw new IllegalArgumentException(
                        "--user needs exactly one of --password-env and --password-file");
            }
            b.basicAuth(
                    user,
                    passwordEnv != null
                            ? SecretSource.env(passwordEnv)
                            : SecretSource.file(passwordFile));
        } else if (awsRegion != null) {
            b.awsSigV4(awsRegion, awsService);
        }
        return b.caFile(caFile).insecureSkipVerify(insecure).build();
    }
}
