package dev.embedflow.cli;

import java.nio.file.Path;

/**
 * Where the launcher's checkout keeps what the commands use: the build's OpenSearch distribution
 * and the docs. The launcher ({@code ./embedflow}) sets {@value #HOME_PROPERTY}.
 */
final class Checkout {

    /** System property naming the checkout (the launcher's directory). */
    static final String HOME_PROPERTY = "embedflow.home";

    /** Where the dev-servers module assembles OpenSearch with k-NN, relative to the checkout. */
    static final String OPENSEARCH_HOME = "src/dev-servers/target/opensearch-2.19.1";

    private Checkout() {}

    /** The checkout, or the working directory when not run through the launcher. */
    static Path home() {
        return Path.of(System.getProperty(HOME_PROPERTY, ".")).toAbsolutePath().normalize();
    }

    /** The OpenSearch distribution that {@code ./mvnw package} assembles. */
    static Path openSearchHome() {
        return home().resolve(OPENSEARCH_HOME);
    }

    /** {@code path} in the checkout, e.g. {@code docs/benchmarks/README.md}. */
    static Path resolve(String path) {
        return home().resolve(path);
    }
}
