package dev.embedflow.embedding.provider;

import dev.embedflow.embedding.EmbeddingConfig;
import dev.embedflow.embedding.EmbeddingException;
import dev.embedflow.embedding.EmbeddingProvider;
import dev.embedflow.embedding.EmbeddingProviderFactory;
import dev.embedflow.embedding.ModelInfo;
import dev.embedflow.embedding.ProviderKind;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.annotation.PublicEvolving;

/** Creates the provider a configuration names, and probes it at start-up. */
@PublicEvolving
public final class EmbeddingProviders {

    private EmbeddingProviders() {}

    /** A new, not yet opened provider for {@code config}. */
    public static EmbeddingProvider create(EmbeddingConfig config) {
        return switch (config.provider()) {
            case OPENAI -> new OpenAiProvider(config);
            case TEI -> new TeiProvider(config);
            case OLLAMA -> new OllamaProvider(config);
            case LOCAL -> pluggedIn(ProviderKind.LOCAL).create(config);
        };
    }

    /**
     * The model the {@code kind} provider serves when none is configured, for providers that are
     * not built in (see {@link EmbeddingProviderFactory}).
     */
    public static String defaultModel(ProviderKind kind) {
        return pluggedIn(kind).defaultModel();
    }

    private static EmbeddingProviderFactory pluggedIn(ProviderKind kind) {
        for (EmbeddingProviderFactory factory :
                ServiceLoader.load(
                        EmbeddingProviderFactory.class,
                        EmbeddingProviders.class.getClassLoader())) {
            if (factory.kind() == kind) {
                return factory;
            }
        }
        throw new IllegalStateException(
                "embedding.provider="
                        + kind.id()
                        + " runs the model inside the job, and this job jar has no model: use the"
                        + " job jar with the model (embedflow-job-with-model-*-flink.jar, image"
                        + " tag suffix -model) or ./embedflow, or call an embedding service with"
                        + " embedding.provider=openai, tei or ollama");
    }

    /**
     * Embeds one short text once to learn the model name and dimension, for the sink's pre-flight
     * check. Blocks: call it from the job's {@code main}, never from a task thread. Checks the
     * dimension against {@link EmbeddingConfig#dimensions()} when configured.
     *
     * @throws IllegalStateException when the service is unreachable, refuses the credentials or the
     *     model, or answers with a wrong dimension; the message names provider, URL and model
     */
    public static ModelInfo probe(EmbeddingConfig config, Duration timeout) {
        try (EmbeddingProvider provider = create(config)) {
            provider.open();
            ModelInfo info;
            try {
                info = provider.probe().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while probing " + provider.describe());
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "no answer from " + provider.describe() + " within " + timeout);
            } catch (ExecutionException e) {
                Throwable cause = EmbeddingException.unwrap(e);
                String message =
                        cause instanceof EmbeddingException ee
                                ? ee.getMessage()
                                : provider.describe() + " failed: " + cause;
                throw new IllegalStateException("start-up probe: " + message);
            }
            if (config.dimensions().isPresent() && config.dimensions().get() != info.dimensions()) {
                throw new IllegalStateException(
                        "start-up probe: "
                                + provider.describe()
                                + " returns "
                                + info.dimensions()
                                + "-dimensional vectors, but embedding.dimensions is "
                                + config.dimensions().get());
            }
            return info;
        }
    }
}
