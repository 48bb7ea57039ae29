package dev.embedflow.testing;

import dev.embedflow.devserver.OpenSearchNode;
import java.util.Objects;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * An index name no other test of the run uses (the index itself does not exist yet), with the
 * client and node to use it through. Handed out by {@link OpenSearchExtension}; indexes stay until
 * the node is closed at the end of the run.
 */
public final class OpenSearchTestIndex {
    private final String name;
    private final OpenSearchClient client;
    private final OpenSearchNode node;

    OpenSearchTestIndex(String name, OpenSearchClient client, OpenSearchNode node) {
        this.name = Objects.requireNonNull(name);
        this.client = Objects.requireNonNull(client);
        this.node = Objects.requireNonNull(node);
    }

    /** A valid, lower-case index name, unique within the test run. */
    public String name() {
        return name;
    }

    public OpenSearchClient client() {
        return client;
    }

    public OpenSearchNode node() {
        return node;
    }

    @Override
    public String toString() {
        return name + " on " + node.httpUri();
    }
}
