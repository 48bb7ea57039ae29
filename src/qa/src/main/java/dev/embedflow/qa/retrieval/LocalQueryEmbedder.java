package dev.embedflow.qa.retrieval;

import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.LocalModel;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A query embedder on an in-process model that, unless pinned, follows the index to the other local
 * model: the JVM's shared instance of the new model is taken and the old one released.
 */
final class LocalQueryEmbedder implements QueryEmbedder {

    private static final Logger LOG = LoggerFactory.getLogger(LocalQueryEmbedder.class);

    private final boolean mayFollow;
    private volatile LocalEmbeddingModel model;

    LocalQueryEmbedder(LocalEmbeddingModel model, boolean mayFollow) {
        this.model = model;
        this.mayFollow = mayFollow;
    }

    @Override
    public String model() {
        return model.modelId();
    }

    @Override
    public float[] embed(String query) {
        LocalEmbeddingModel m = model;
        try {
            return m.embed(query).vector();
        } catch (IllegalStateException e) {
            if (m != model) { // switched (and released) while this query was queued
                return model.embed(query).vector();
            }
            throw e;
        }
    }

    @Override
    public synchronized boolean follow(String indexModel) {
        LocalEmbeddingModel current = model;
        if (indexModel == null || current.model().isNamed(indexModel)) {
            return indexModel != null;
        }
        Optional<LocalModel> next = LocalModel.named(indexModel);
        if (!mayFollow || next.isEmpty()) {
            return false;
        }
        model = LocalEmbeddingModel.acquireShared(next.get());
        LOG.info("The index now records {}: queries are embedded with it", next.get().id());
        current.close();
        return true;
    }

    @Override
    public synchronized void close() {
        model.close();
    }
}
