package dev.embedflow.testing;

import dev.embedflow.devserver.OpenSearchNode;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one real OpenSearch node for the whole test run and hands it to tests as parameters of test,
 * lifecycle and constructor methods:
 *
 * <ul>
 *   <li>{@link OpenSearchNode}: the node, e.g. to stop and start it;
 *   <li>{@link OpenSearchClient}: an opensearch-java client connected to it;
 *   <li>{@link OpenSearchTestIndex}: a fresh index name, with the client and the node.
 * </ul>
 *
 * <p>The node starts when a test first asks for one of these and is closed when the run ends (it
 * lives in the root context's store). It is built from the distribution named by the system
 * property {@value #HOME_PROPERTY}, in {@code <}{@value #WORK_DIR_PROPERTY}{@code >/opensearch};
 * Failsafe sets both. If a test leaves the node stopped, the next parameter resolution starts it
 * again. If the node fails to start, every later test of the run fails at once with the same cause
 * instead of waiting for another start-up timeout.
 */
public final class OpenSearchExtension implements ParameterResolver {

    /** System property naming the OpenSearch distribution ({@code target/opensearch-<version>}). */
    public static final String HOME_PROPERTY = "embedflow.opensearch.home";

    /** System property naming the directory the test servers keep their files in. */
    public static final String WORK_DIR_PROPERTY = TestDirs.WORK_DIR_PROPERTY;

    private static final Logger LOG = LoggerFactory.getLogger(OpenSearchExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(OpenSearchExtension.class);
    private static final Set<Class<?>> SUPPORTED =
            Set.of(OpenSearchNode.class, OpenSearchClient.class, OpenSearchTestIndex.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return SUPPORTED.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        SharedNode shared = sharedNode(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == OpenSearchNode.class) {
            return shared.node();
        }
        if (type == OpenSearchClient.class) {
            return shared.client();
        }
        if (type == OpenSearchTestIndex.class) {
            return new OpenSearchTestIndex(
                    indexName(context, shared.nextIndexNumber()), shared.client(), shared.node());
        }
        throw new ParameterResolutionException("Unsupported parameter type " + type);
    }

    private static SharedNode sharedNode(ExtensionContext context) {
        SharedNode shared =
                context.getRoot()
                        .getStore(NAMESPACE)
                        .getOrComputeIfAbsent(
                                SharedNode.class, key -> SharedNode.start(), SharedNode.class);
        shared.ensureRunning();
        return shared;
    }

    /** e.g. {@code it-3-opensearchknnitcase-knnqueryreturns...}: lower case, at most 100 chars. */
    private static String indexName(ExtensionContext context, int number) {
        String testName =
                context.getRequiredTestClass().getSimpleName()
                        + context.getTestMethod().map(Method::getName).map(m -> "-" + m).orElse("");
        String sanitized = testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        String name = "it-" + number + "-" + sanitized;
        return name.length() <= 100 ? name : name.substring(0, 100);
    }

    private static Path requiredPathProperty(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new ExtensionConfigurationException(
                    "System property "
                            + property
                            + " is not set; run the *ITCase tests through `./mvnw verify`, whose"
                            + " Failsafe configuration sets it");
        }
        return Path.of(value);
    }

    /** The node, its client and the index counter of one test run; closed with the root store. */
    private static final class SharedNode implements AutoCloseable {
        private final OpenSearchNode node;
        private final OpenSearchClient client;
        private final RuntimeException startFailure;
        private final AtomicInteger indexCounter = new AtomicInteger();

        private SharedNode(
                OpenSearchNode node, OpenSearchClient client, RuntimeException startFailure) {
            this.node = node;
            this.client = client;
            this.startFailure = startFailure;
        }

        static SharedNode start() {
            Path home = requiredPathProperty(HOME_PROPERTY);
            Path workDir = requiredPathProperty(WORK_DIR_PROPERTY).resolve("opensearch");
            if (!Files.isDirectory(home)) {
                throw new ExtensionConfigurationException(
                        HOME_PROPERTY
                                + " names "
                                + home
                                + ", which does not exist; the package phase assembles it");
            }
            OpenSearchNode node =
                    OpenSearchNode.builder().home(home).workDir(workDir).throwaway(true).build();
            try {
                node.start();
            } catch (RuntimeException e) {
                node.close();
                return new SharedNode(null, null, e);
            }
            OpenSearchClient client =
                    new OpenSearchClient(
                            ApacheHttpClient5TransportBuilder.builder(
                                            new HttpHost("http", "127.0.0.1", node.httpPort()))
                                    .setMapper(new JacksonJsonpMapper())
                                    .build());
            return new SharedNode(node, client, null);
        }

        void ensureRunning() {
            if (startFailure != null) {
                throw new ParameterResolutionException(
                        "The shared OpenSearch node of this test run did not start", startFailure);
            }
            if (!node.isRunning()) {
                LOG.warn("A test left the shared OpenSearch node stopped; starting it again");
                node.start();
            }
        }

        OpenSearchNode node() {
            return node;
        }

        OpenSearchClient client() {
            return client;
        }

        int nextIndexNumber() {
            return indexCounter.incrementAndGet();
        }

        @Override
        public void close() throws IOException {
            if (node == null) {
                return;
            }
            try {
                client._transport().close();
            } finally {
                node.close();
            }
        }
    }
}
