package dev.embedflow.opensearch;

import dev.embedflow.opensearch.OpenSearchOptions.AuthType;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * How to reach OpenSearch: hosts, TLS trust, authentication and timeouts. Immutable and
 * serializable (it travels in the job graph); it holds only references to secrets ({@link
 * SecretSource}), so printing or serializing it never reveals a password. Build it with {@link
 * #builder()} or {@link #fromConfiguration(Configuration)}; both validate once.
 */
@PublicEvolving
public final class OpenSearchConnectionConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<URI> hosts;
    private final AuthType authType;
    private final String username;
    private final SecretSource password;
    private final String awsRegion;
    private final String awsService;
    private final Path caFile;
    private final Path trustStore;
    private final String trustStoreType;
    private final SecretSource trustStorePassword;
    private final boolean insecureSkipVerify;
    private final Duration connectTimeout;
    private final Duration responseTimeout;

    private OpenSearchConnectionConfig(Builder b) {
        this.hosts = List.copyOf(b.hosts);
        this.authType = b.authType;
        this.username = b.username;
        this.password = b.password;
        this.awsRegion = b.awsRegion;
        this.awsService = b.awsService;
        this.caFile = b.caFile;
        this.trustStore = b.trustStore;
        this.trustStoreType = b.trustStoreType;
        this.trustStorePassword = b.trustStorePassword;
        this.insecureSkipVerify = b.insecureSkipVerify;
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the {@code opensearch.*} connection options of {@link OpenSearchOptions}.
     *
     * @throws IllegalArgumentException naming the option key that is missing or wrong
     */
    public static OpenSearchConnectionConfig fromConfiguration(Configuration conf) {
        Builder b = builder();
        for (String host : conf.get(OpenSearchOptions.HOSTS)) {
            try {
                b.host(host);
            } catch (IllegalArgumentException e) {
                throw bad(OpenSearchOptions.HOSTS, e.getMessage());
            }
        }
        conf.getOptional(OpenSearchOptions.TLS_CA_FILE).map(Path::of).ifPresent(b::caFile);
        conf.getOptional(OpenSearchOptions.TLS_TRUST_STORE)
                .ifPresent(
                        ts ->
                                b.trustStore(
                                        Path.of(ts),
                                        conf.get(OpenSearchOptions.TLS_TRUST_STORE_TYPE),
                                        conf.getOptional(
                                                        OpenSearchOptions
                                                                .TLS_TRUST_STORE_PASSWORD_ENV)
                                                .map(SecretSource::env)
                                                .orElse(null)));
        b.insecureSkipVerify(conf.get(OpenSearchOptions.TLS_INSECURE));
        b.connectTimeout(conf.get(OpenSearchOptions.CONNECT_TIMEOUT));
        b.responseTimeout(conf.get(OpenSearchOptions.RESPONSE_TIMEOUT));
        switch (conf.get(OpenSearchOptions.AUTH_TYPE)) {
            case NONE -> {}
            case BASIC -> {
                String user =
                        conf.getOptional(OpenSearchOptions.USERNAME)
                                .orElseThrow(
                                        () ->
                                                bad(
                                                        OpenSearchOptions.USERNAME,
                                                        "is required when opensearch.auth.type"
                                                                + " is BASIC"));
                Optional<String> env = conf.getOptional(OpenSearchOptions.PASSWORD_ENV);
                Optional<String> file = conf.getOptional(OpenSearchOptions.PASSWORD_FILE);
                if (env.isPresent() == file.isPresent()) {
                    throw bad(
                            OpenSearchOptions.PASSWORD_ENV,
                            "set exactly one of "
                                    + OpenSearchOptions.PASSWORD_ENV.key()
                                    + " and "
                                    + OpenSearchOptions.PASSWORD_FILE.key()
                                    + " for BASIC auth");
                }
                b.basicAuth(
                        user,
                        env.map(SecretSource::env)
                                .orElseGet(() -> SecretSource.file(Path.of(file.get()))));
            }
            case AWS_SIGV4 -> {
                String region =
                        conf.getOptional(OpenSearchOptions.AWS_REGION)
                                .orElseThrow(
                                        () ->
                                                bad(
                                                        OpenSearchOptions.AWS_REGION,
                                                        "is required when opensearch.auth.type"
                                                                + " is AWS_SIGV4"));
                try {
                    b.awsSigV4(region, conf.get(OpenSearchOptions.AWS_SERVICE));
                } catch (IllegalArgumentException e) {
                    throw bad(OpenSearchOptions.AWS_SERVICE, e.getMessage());
                }
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid opensearch.* options: " + e.getMessage());
        }
    }

    private static IllegalArgumentException bad(ConfigOption<?> option, String problem) {
        return new IllegalArgumentException("Option " + option.key() + ": " + problem);
    }

    public List<URI> hosts() {
        return hosts;
    }

    public boolean https() {
        return "https".equals(hosts.get(0).getScheme());
    }

    public AuthType authType() {
        return authType;
    }

    /** The BASIC auth user, if any. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** Where the BASIC auth password is read from, if any. */
    public Optional<SecretSource> password() {
        return Optional.ofNullable(password);
    }

    public Optional<String> awsRegion() {
        return Optional.ofNullable(awsRegion);
    }

    /** The SigV4 service name: {@code es} or {@code aoss}. */
    public String awsService() {
        return awsService;
    }

    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    public Optional<Path> trustStore() {
        return Optional.ofNullable(trustStore);
    }

    public String trustStoreType() {
        return trustStoreType;
    }

    public Optional<SecretSource> trustStorePassword() {
        return Optional.ofNullable(trustStorePassword);
    }

    public boolean insecureSkipVerify() {
        return insecureSkipVerify;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration responseTimeout() {
        return responseTimeout;
    }

    /** Hosts, auth kind and user, where secrets come from; never a secret. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("OpenSearch").append(hosts);
        switch (authType) {
            case NONE -> s.append(", no auth");
            case BASIC ->
                    s.append(", basic auth as ")
                            .append(username)
                            .append(" (password from ")
                            .append(password)
                            .append(')');
            case AWS_SIGV4 ->
                    s.append(", AWS SigV4 ").append(awsService).append(" in ").append(awsRegion);
        }
        if (caFile != null) {
            s.append(", CA ").append(caFile);
        }
        if (trustStore != null) {
            s.append(", trust store ").append(trustStore);
        }
        if (insecureSkipVerify) {
            s.append(", TLS verification OFF");
        }
        return s.toString();
    }

    /** Collects settings; {@link #build()} validates them together. */
    /** Whether the AWS SDK's SigV4 classes are on the classpath (the job jars leave them out). */
    static boolean awsSdkPresent() {
        try {
            Class.forName(
                    "software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner",
                    false,
                    OpenSearchConnectionConfig.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public static final class Builder {
        private final List<URI> hosts = new ArrayList<>();
        private AuthType authType = AuthType.NONE;
        private String username;
        private SecretSource password;
        private String awsRegion;
        private String awsService = "es";
        private Path caFile;
        private Path trustStore;
        private String trustStoreType = "PKCS12";
        private SecretSource trustStorePassword;
        private boolean insecureSkipVerify;
        private Duration connectTimeout = OpenSearchOptions.CONNECT_TIMEOUT.defaultValue();
        private Duration responseTimeout = OpenSearchOptions.RESPONSE_TIMEOUT.defaultValue();

        private Builder() {}

        /** Adds a host URL such as {@code https://search.example.com:9200}. */
        public Builder host(String url) {
            URI uri;
            try {
                uri = new URI(url.strip());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + url + "' is not a URL: " + e.getReason());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        "'" + url + "' must be http://host:port or https://host:port");
            }
            if (uri.getUserInfo() != null) {
                throw new IllegalArgumentException(
                        "a host URL must not carry credentials; use basic auth options");
            }
            hosts.add(uri);
            return this;
        }

        public Builder host(URI url) {
            return host(url.toString());
        }

        /** HTTP basic auth as {@code username}, the password read from {@code password}. */
        public Builder basicAuth(String username, SecretSource password) {
            this.authType = AuthType.BASIC;
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * AWS SigV4 signing for {@code region} and {@code service} ({@code es} for Amazon
         * OpenSearch Service, {@code aoss} for Serverless), credentials from the AWS default chain.
         */
        public Builder awsSigV4(String region, String service) {
            if (!"es".equals(service) && !"aoss".equals(service)) {
                throw new IllegalArgumentException(
                        "AWS service must be 'es' or 'aoss', not '" + service + "'");
            }
            this.authType = AuthType.AWS_SIGV4;
            this.awsRegion = Objects.requireNonNull(region, "region");
            this.awsService = service;
            return this;
        }

        /** Trusts the CA certificates of a PEM file (instead of the JVM's default trust store). */
        public Builder caFile(Path caFile) {
            this.caFile = caFile;
            return this;
        }

        /** Trusts the certificates of a trust store; {@code password} may be null. */
        public Builder trustStore(Path trustStore, String type, SecretSource password) {
            this.trustStore = trustStore;
            this.trustStoreType = Objects.requireNonNull(type, "type");
            this.trustStorePassword = password;
            return this;
        }

        /** Turns certificate and host name verification off (throwaway test clusters only). */
        public Builder insecureSkipVerify(boolean insecure) {
            this.insecureSkipVerify = insecure;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = timeout;
            return this;
        }

        public OpenSearchConnectionConfig build() {
            require(!hosts.isEmpty(), "at least one host is required");
            String scheme = hosts.get(0).getScheme().toLowerCase(Locale.ROOT);
            require(
                    hosts.stream()
                            .allMatch(h -> h.getScheme().toLowerCase(Locale.ROOT).equals(scheme)),
                    "every host must use the same scheme (http or https): " + hosts);
            boolean tlsSettings = caFile != null || trustStore != null || insecureSkipVerify;
            require(
                    !tlsSettings || scheme.equals("https"),
                    "TLS settings (CA file, trust store, insecure) need https:// hosts");
            require(
                    caFile == null || trustStore == null,
                    "set either a CA file or a trust store, not both");
            require(
                    !insecureSkipVerify || (caFile == null && trustStore == null),
                    "insecure-skip-verify contradicts a CA file or trust store: pick one");
            require(
                    authType != AuthType.AWS_SIGV4 || scheme.equals("https"),
                    "AWS SigV4 needs https:// hosts");
            require(
                    authType != AuthType.AWS_SIGV4 || hosts.size() == 1,
                    "AWS SigV4 takes exactly one host: the domain or collection endpoint");
            require(
                    authType != AuthType.AWS_SIGV4 || awsSdkPresent(),
                    "AWS SigV4 needs the AWS SDK, which the job jar leaves out: put"
                            + " embedflow-job-<version>-aws-sdk.jar into Flink's lib/ (EmbedFlow's"
                            + " Docker image has it there)");
            require(
                    connectTimeout != null
                            && !connectTimeout.isNegative()
                            && !connectTimeout.isZero(),
                    "connect timeout must be positive");
            require(
                    responseTimeout != null
                            && !responseTimeout.isNegative()
                            && !responseTimeout.isZero(),
                    "response timeout must be positive");
            return new OpenSearchConnectionConfig(this);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
