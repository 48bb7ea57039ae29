package dev.embedflow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.index.IndexManager;
import dev.embedflow.index.IndexSpec;
import dev.embedflow.testing.NginxTlsProxy;
import dev.embedflow.testing.OpenSearchExtension;
import dev.embedflow.testing.TestDirs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTPS with a private CA and basic auth against a real TLS endpoint: nginx in front of the test
 * OpenSearch node.
 */
@ExtendWith(OpenSearchExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsBasicAuthITCase {

    private static final String USER = "analyst";
    private static final String PASSWORD = "s3cret-" + UUID.randomUUID();
    private static final String WRONG_PASSWORD = "wr0ng-" + UUID.randomUUID();

    private NginxTlsProxy proxy;
    private Path dir;

    @BeforeAll
    void startNginx(OpenSearchNode node) throws Exception {
        Optional<Path> nginx = NginxTlsProxy.findNginx();
        assumeTrue(
                nginx.isPresent(),
                "nginx is not installed, so there is no TLS endpoint to test against; install it"
                        + " (apt-get install -y nginx-light), as .ci/run does");
        dir = TestDirs.workDir().resolve("nginx-" + UUID.randomUUID().toString().substring(0, 8));
        proxy = NginxTlsProxy.start(nginx.get(), dir, node.httpUri(), USER, PASSWORD);
        Files.writeString(dir.resolve("password"), PASSWORD + "\n");
        Files.writeString(dir.resolve("wrong-password"), WRONG_PASSWORD);
    }

    @AfterAll
    void stopNginx() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void theRightCaAndPasswordReachOpenSearch() {
        OpenSearchConnectionConfig config = config(proxy.caFile(), dir.resolve("password"));
        try (OpenSearchConnection os = OpenSearchConnection.open(config)) {
            assertThat(os.check()).isEqualTo("2.19.1");
            IndexSpec spec =
                    IndexSpec.builder()
                            .baseName("tls-" + UUID.randomUUID().toString().substring(0, 8))
                            .model("m")
                            .dimension(4)
                            .replicas(0)
                            .build();
            assertThat(new IndexManager(os).ensureIndex(spec))
                    .isEqualTo(IndexManager.Outcome.CREATED);
        }
    }

    @Test
    void aServerCertificateFromAnotherCaFailsWithAClearTlsError() {
        OpenSearchConnectionException e =
                failure(config(proxy.otherCaFile(), dir.resolve("password")));

        assertThat(e.getMessage())
                .contains("TLS handshake with [" + proxy.uri() + "] failed")
                .contains("not trusted by the CA file " + proxy.otherCaFile())
                .contains("opensearch.tls.ca-file");
    }

    @Test
    void certificatesAreVerifiedByDefault() {
        OpenSearchConnectionConfig config =
                OpenSearchConnectionConfig.builder()
                        .host(proxy.uri())
                        .basicAuth(USER, SecretSource.file(dir.resolve("password")))
                        .build();

        assertThat(failure(config).getMessage())
                .contains("not trusted by the JVM's default trust store");
    }

    @Test
    void aWrongPasswordFailsWithAClearErrorThatDoesNotContainIt() {
        OpenSearchConnectionConfig config = config(proxy.caFile(), dir.resolve("wrong-password"));

        OpenSearchConnectionException e = failure(config);

        assertThat(e.status()).as(e.getMessage()).isEqualTo(401);
        assertThat(e.getMessage())
                .contains("rejected the credentials of user '" + USER + "'")
                .contains("HTTP 401")
                .contains("password from file:" + dir.resolve("wrong-password"));
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(WRONG_PASSWORD).doesNotContain(PASSWORD);
        assertThat(config.toString()).doesNotContain(WRONG_PASSWORD);
    }

    private OpenSearchConnectionConfig config(Path ca, Path passwordFile) {
        return OpenSearchConnectionConfig.builder()
                .host(proxy.uri())
                .caFile(ca)
                .basicAuth(USER, SecretSource.file(passwordFile))
                .build();
    }

    private static OpenSearchConnectionException failure(OpenSearchConnectionConfig config) {
        try (OpenSearchConnection os = OpenSearchConnection.open(config)) {
            return catchThrowableOfType(OpenSearchConnectionException.class, os::check);
        }
    }
}
