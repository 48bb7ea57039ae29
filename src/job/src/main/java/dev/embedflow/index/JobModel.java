package dev.embedflow.index;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.ModelInfo;
import dev.embedflow.embedding.ProviderKind;
import dev.embedflow.embedding.provider.EmbeddingProviders;
import dev.embedflow.opensearch.OpenSearchConnection;
import dev.embedflow.opensearch.OpenSearchConnectionConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model and dimension a job embeds with. When the index the job writes already exists and
 * records the configured model in its mapping, that is the answer and the embedding service is not
 * called (a re-run over unchanged data makes no embedding call at all); otherwise the provider is
 * probed once. Authentication and model errors then surface on the first real request, which fails
 * the job with the same message.
 */
@Internal
public final class JobModel {

    private static final Logger LOG = LoggerFactory.getLogger(JobModel.class);

    private JobModel() {}

    public static ModelInfo resolve(
            Configuration config, EmbeddingConfig embedding, Duration probeTimeout) {
        return fromIndex(config, embedding)
                .orElseGet(() -> EmbeddingProviders.probe(embedding, probeTimeout));
    }

    private static Optional<ModelInfo> fromIndex(Configuration config, EmbeddingConfig embedding) {
        Optional<String> configured =
                embedding.provider() == ProviderKind.LOCAL
                        ? Optional.of(
                                embedding
                                        .model()
                                        .orElseGet(
                                                () ->
                                                        EmbeddingProviders.defaultModel(
                                                                ProviderKind.LOCAL)))
                        : embedding.model();
        if (configured.isEmpty()) {
            return Optional.empty(); // e.g. TEI: the service alone knows its model
        }
        String index = IndexSpec.fromConfiguration(config, configured.get(), 1).indexName();
        try (OpenSearchConnection connection =
                OpenSearchConnection.open(OpenSearchConnectionConfig.fromConfiguration(config))) {
            Optional<IndexInfo> info = new IndexManager(connection).describe(index);
            if (info.isPresent()
                    && info.get().dimension() > 0
                    && info.get().model().map(m -> sameModel(m, configured.get())).orElse(false)) {
                LOG.info(
                        "Index {} records model {} with {} dimensions: no start-up probe",
                        index,
                        info.get().model().get(),
                        info.get().dimension());
                return Optional.of(
                        new ModelInfo(
                                embedding.provider(),
                                info.get().model().get(),
                                info.get().dimension()));
            }
        } catch (RuntimeException e) {
            // The pre-flight connects again and reports what is wrong with OpenSearch.
            LOG.debug("Could not read index {} before the probe: {}", index, e.toString());
        }
        return Optional.empty();
    }

    /** Model names as services spell them: case and an organisation prefix do not matter. */
    public static boolean sameModel(String a, String b) {
        return normalize(a).equals(normalize(b));
    }

    private static String normalize(String model) {
        String lower = model.toLowerCase(Locale.ROOT);
        return lower.substring(lower.lastIndexOf('/') + 1);
    }
}
