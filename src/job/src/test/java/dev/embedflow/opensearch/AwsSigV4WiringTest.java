package dev.embedflow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.transport.aws.AwsSdk2Transport;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * AWS SigV4 wiring: requests go through opensearch-java's AWS SDK v2 transport and arrive signed
 * for the configured region and service. No AWS endpoint here: a local HTTPS server (certificate
 * made with the JDK's keytool, trusted through the CA-file option) records what it receives.
 */
class AwsSigV4WiringTest {

    private static final String ACCESS_KEY = "AKIDEXAMPLE";
    private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    @TempDir Path dir;

    private HttpsServer server;
    private final Map<String, List<String>> received = new ConcurrentHashMap<>();

    @BeforeEach
    void startHttpsServer() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        run(
                "keytool",
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=IP:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit");
        run(
                "keytool",
                "-exportcert",
                "-rfc",
                "-alias",
                "server",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                "changeit",
                "-file",
                dir.resolve("server.pem").toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(keyStore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext(
                "/",
                exchange -> {
                    received.putAll(exchange.getRequestHeaders());
                    byte[] body =
                            "{\"version\":{\"number\":\"2.19.1\"}}"
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void requestsAreSignedForTheConfiguredRegionAndService() {
        OpenSearchConnectionConfig config =
                OpenSearchConnectionConfig.builder()
                        .host("https://127.0.0.1:" + server.getAddress().getPort())
                        .awsSigV4("eu-west-1", "aoss")
                        .caFile(dir.resolve("server.pem"))
                        .build();

        try (OpenSearchConnection os =
                AwsSigV4Transport.open(
                        config,
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))) {
            assertThat(os.client()._transport()).isInstanceOf(AwsSdk2Transport.class);
            assertThat(os.check()).isEqualTo("2.19.1");
        }

        String authorization = header("Authorization");
        assertThat(authorization)
                .startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/")
                .contains("/eu-west-1/aoss/aws4_request")
                .contains("Signature=")
                .doesNotContain(SECRET_KEY);
        assertThat(header("X-amz-date")).matches("\\d{8}T\\d{6}Z");
        assertThat(header("X-amz-content-sha256")).isNotBlank();
        assertThat(config.toString()).contains("AWS SigV4 aoss in eu-west-1");
    }

    private String header(String name) {
        return received.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " header in " + received));
    }

    private static void run(String... command) throws Exception {
        String javaHome = System.getProperty("java.home");
        command[0] = Path.of(javaHome, "bin", command[0]).toString();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
