package dev.embedflow.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.embedflow.opensearch.OpenSearchOptions.AuthType;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.client.transport.httpclient5.ResponseException;

/**
 * An open connection to OpenSearch built from an {@link OpenSearchConnectionConfig}: the
 * opensearch-java client over the Apache HttpClient 5 transport (basic auth, TLS) or the AWS SDK v2
 * transport (SigV4), and a JSON request helper that turns every failure into an {@link
 * OpenSearchConnectionException} with a clear, secret-free message.
 *
 * <p>Thread-safe; close it once.
 */
@PublicEvolving
public final class OpenSearchConnection implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenSearchConnectionConfig config;
    private final OpenSearchTransport transport;
    private final OpenSearchClient client;
    private final OpenSearchGenericClient generic;

    private OpenSearchConnection(OpenSearchConnectionConfig config, OpenSearchTransport transport) {
        this.config = config;
        this.transport = transport;
        this.client = new OpenSearchClient(transport);
        this.generic = client.generic();
    }

    /** Opens a connection; AWS credentials, if needed, come from the AWS default chain. */
    public static OpenSearchConnection open(OpenSearchConnectionConfig config) {
        return open(
                config,
                trust ->
                        config.authType() == AuthType.AWS_SIGV4
                                ? AwsSigV4Transport.create(config, trust)
                                : httpClient5Transport(config, trust));
    }

    /**
     * Opens a connection over the transport {@code transport} makes from the configuration's trust
     * managers (null: the JVM's). Only {@link AwsSigV4Transport} touches the AWS SDK, so that the
     * lean job jar, which leaves the SDK out, loads this class.
     */
    static OpenSearchConnection open(
            OpenSearchConnectionConfig config,
            Function<TrustManager[], OpenSearchTransport> transport) {
        return new OpenSearchConnection(config, transport.apply(trustManagers(config)));
    }

    private static OpenSearchTransport httpClient5Transport(
            OpenSearchConnectionConfig config, TrustManager[] trust) {
        HttpHost[] hosts =
                config.hosts().stream()
                        .map(u -> new HttpHost(u.getScheme(), u.getHost(), port(u)))
                        .toArray(HttpHost[]::new);
        BasicCredentialsProvider credentials = new BasicCredentialsProvider();
        if (config.authType() == AuthType.BASIC) {
            char[] password = config.password().orElseThrow().read();
            for (HttpHost host : hosts) {
                credentials.setCredentials(
                        new AuthScope(host),
                        new UsernamePasswordCredentials(config.username().orElseThrow(), password));
            }
        }
        SSLContext sslContext = config.https() ? sslContext(trust) : null;
        return ApacheHttpClient5TransportBuilder.builder(hosts)
                .setMapper(new JacksonJsonpMapper())
                .setHttpClientConfigCallback(
                        builder -> {
                            PoolingAsyncClientConnectionManagerBuilder connections =
                                    PoolingAsyncClientConnectionManagerBuilder.create()
                                            .setDefaultConnectionConfig(
                                                    ConnectionConfig.custom()
                                                            .setConnectTimeout(
                                                                    Timeout.ofMilliseconds(
                                                                            config.connectTimeout()
                                                                                    .toMillis()))
                                                            .build());
                            if (sslContext != null) {
                                ClientTlsStrategyBuilder tls =
                                        ClientTlsStrategyBuilder.create().setSslContext(sslContext);
                                if (config.insecureSkipVerify()) {
                                    tls.setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
                                }
                                connections.setTlsStrategy(tls.buildAsync());
                            }
                            return builder.setDefaultCredentialsProvider(credentials)
                                    .setConnectionManager(connections.build());
                        })
                .setRequestConfigCallback(
                        builder ->
                                builder.setResponseTimeout(
                                        config.responseTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .build();
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** Trust managers for the CA file, trust store or insecure flag; null: the JVM's default. */
    private static TrustManager[] trustManagers(OpenSearchConnectionConfig config) {
        try {
            if (config.insecureSkipVerify()) {
                return new TrustManager[] {new TrustEverything()};
            }
            KeyStore store = null;
            if (config.caFile().isPresent()) {
                Path ca = config.caFile().get();
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                Collection<? extends Certificate> certificates;
                try (InputStream in = Files.newInputStream(ca)) {
                    certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
                }
                if (certificates.isEmpty()) {
                    throw new IllegalArgumentException(
                            "the CA file " + ca + " holds no PEM certificate");
                }
                int i = 0;
                for (Certificate certificate : certificates) {
                    store.setCertificateEntry("ca-" + i++, certificate);
                }
            } else if (config.trustStore().isPresent()) {
                Path path = config.trustStore().get();
                store = KeyStore.getInstance(config.trustStoreType());
                char[] password = config.trustStorePassword().map(SecretSource::read).orElse(null);
                try (InputStream in = Files.newInputStream(path)) {
                    store.load(in, password);
                } finally {
                    if (password != null) {
                        Arrays.fill(password, '\0');
                    }
                }
            }
            if (store == null) {
                return null;
            }
            TrustManagerFactory factory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot load the TLS trust material ("
                            + config.caFile().or(config::trustStore).map(Path::toString).orElse("")
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    private static SSLContext sslContext(TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context", e);
        }
    }

    public OpenSearchConnectionConfig config() {
        return config;
    }

    /** The opensearch-java client. */
    public OpenSearchClient client() {
        return client;
    }

    /**
     * Sends a request and returns the status and JSON body, whatever the status.
     *
     * @param body a Jackson-serializable body, a {@code byte[]} of NDJSON, or null
     * @throws OpenSearchConnectionException if no HTTP response arrived (unreachable, TLS) or
     *     OpenSearch refused the credentials (401, 403)
     */
    public JsonResponse send(String method, String endpoint, Object body) {
        return send(method, endpoint, Map.of(), body);
    }

    /** {@link #send(String, String, Object)} with query parameters. */
    public JsonResponse send(
            String method, String endpoint, Map<String, String> query, Object body) {
        Requests.JsonBodyBuilder request =
                Requests.builder().method(method).endpoint(endpoint).query(query);
        try {
            if (body instanceof byte[] ndjson) {
                request.body(Body.from(ndjson, "application/x-ndjson"));
            } else if (body != null) {
                request.body(Body.from(JSON.writeValueAsBytes(body), "application/json"));
            }
            try (Response response = generic.execute(request.build())) {
                int status = response.getStatus();
                JsonNode json = MissingNode.getInstance();
                if (response.getBody().isPresent()) {
                    byte[] bytes = response.getBody().get().bodyAsBytes();
                    if (bytes.length > 0) {
                        try {
                            json = JSON.readTree(bytes);
                        } catch (IOException notJson) {
                            json = MissingNode.getInstance();
                        }
                    }
                }
                if (status == 401 || status == 403) {
                    throw refused(status);
                }
                return new JsonResponse(status, json == null ? MissingNode.getInstance() : json);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof OpenSearchConnectionException known) {
                throw known;
            }
            // an error answer without a JSON body, e.g. from a proxy in front of OpenSearch
            if (find(e, ResponseException.class) instanceof ResponseException answered) {
                if (answered.status() == 401 || answered.status() == 403) {
                    throw refused(answered.status());
                }
                return new JsonResponse(answered.status(), MissingNode.getInstance());
            }
            throw failure(method + " " + endpoint, e);
        }
    }

    /** Sends a request and fails unless the status is 2xx. */
    public JsonNode sendOk(String method, String endpoint, Object body) {
        JsonResponse response = send(method, endpoint, body);
        if (!response.ok()) {
            throw response.failure(method + " " + endpoint);
        }
        return response.body();
    }

    /** Checks that OpenSearch answers and accepts the credentials; returns its version. */
    public String check() {
        return sendOk("GET", "/", null).path("version").path("number").asText("unknown");
    }

    private OpenSearchConnectionException refused(int status) {
        String who =
                switch (config.authType()) {
                    case NONE -> "an anonymous request (no credentials configured)";
                    case BASIC ->
                            "the credentials of user '"
                                    + config.username().orElse("")
                                    + "' (password from "
                                    + config.password().map(Object::toString).orElse("")
                                    + ")";
                    case AWS_SIGV4 ->
                            "the AWS SigV4 signature (service "
                                    + config.awsService()
                                    + ", region "
                                    + config.awsRegion().orElse("")
                                    + ")";
                };
        String problem =
                status == 401
                        ? "rejected "
                                + who
                                + " (HTTP 401 Unauthorized): check the user name and the password"
                        : "denied " + who + " (HTTP 403 Forbidden): the user lacks a permission";
        return new OpenSearchConnectionException(
                "OpenSearch at " + config.hosts() + " " + problem, status, null);
    }

    /** A clear message for a request that got no HTTP answer. */
    private OpenSearchConnectionException failure(String what, Exception e) {
        Throwable ssl = find(e, SSLException.class);
        if (ssl != null) {
            String trust =
                    config.caFile()
                            .map(ca -> "the CA file " + ca)
                            .or(() -> config.trustStore().map(ts -> "the trust store " + ts))
                            .orElse("the JVM's default trust store");
            return new OpenSearchConnectionException(
                    "TLS handshake with "
                            + config.hosts()
                            + " failed: the server certificate is not trusted by "
                            + trust
                            + " or does not match the host name ("
                            + ssl.getMessage()
                            + "). Set "
                            + OpenSearchOptions.TLS_CA_FILE.key()
                            + " to the CA that signed the server certificate.",
                    0,
                    e);
        }
        if (find(e, ConnectException.class) != null
                || find(e, UnknownHostException.class) != null) {
            return new OpenSearchConnectionException(
                    "cannot connect to OpenSearch at "
                            + config.hosts()
                            + ": "
                            + rootMessage(e)
                            + ". Is it running, and are "
                            + OpenSearchOptions.HOSTS.key()
                            + " right?",
                    0,
                    e);
        }
        return new OpenSearchConnectionException(
                what + " to OpenSearch at " + config.hosts() + " failed: " + rootMessage(e), 0, e);
    }

    private static Throwable find(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (IOException e) {
            throw new OpenSearchConnectionException(
                    "closing the OpenSearch client failed: " + e.getMessage(), 0, e);
        }
    }

    @Override
    public String toString() {
        return "OpenSearchConnection[" + config + "]";
    }

    /** For {@code insecure-skip-verify} only. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    static List<String> hostStrings(OpenSearchConnectionConfig config) {
        return config.hosts().stream().map(URI::toString).toList();
    }
}
