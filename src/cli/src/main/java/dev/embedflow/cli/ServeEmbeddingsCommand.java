package dev.embedflow.cli;

import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.LocalModel;
import dev.embedflow.model.LocalModelConfig;
import dev.embedflow.model.server.EmbeddingServer;
import java.io.PrintWriter;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code embedflow serve-embeddings}: the local model behind the OpenAI embeddings API. */
@Command(
        name = "serve-embeddings",
        mixinStandardHelpOptions = true,
        description = "Serves all-MiniLM-L6-v2 over the OpenAI embeddings API.",
        footer = {
            "",
            "Endpoints: POST /v1/embeddings, GET /v1/models, GET /health. Runs until Ctrl-C."
        })
final class ServeEmbeddingsCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(
            names = "--port",
            description = "Port, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port = 8090;

    @Option(
            names = "--api-key-env",
            paramLabel = "VAR",
            description = {
                "Environment variable with the API key clients must send as"
                        + " 'Authorization: Bearer <key>'; unset or empty: no key required.",
                "Default: ${DEFAULT-VALUE}."
            })
    String apiKeyEnv = "EMBEDFLOW_SERVER_API_KEY";

    @Option(names = "--model", description = "all-MiniLM-L6-v2 (default) or all-MiniLM-L6-v2-int8.")
    String modelName = LocalModel.DEFAULT.id();

    @Option(
            names = "--max-inputs",
            description = "Most texts per request (default: ${DEFAULT-VALUE}).")
    int maxInputs = 2048;

    @Option(
            names = "--max-queued-texts",
            description =
                    "Most texts waiting or running before requests get 429 (default:"
                            + " ${DEFAULT-VALUE}).")
    int maxQueuedTexts = LocalModelConfig.DEFAULT_MAX_QUEUED_TEXTS;

    @Option(
            names = "--batch-size",
            description = "Most texts per ONNX run (default: ${DEFAULT-VALUE}).")
    int batchSize = LocalModelConfig.DEFAULT_MAX_BATCH_SIZE;

    @Option(
            names = "--threads",
            description = "Inference threads (default: the number of cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String apiKey = System.getenv(apiKeyEnv);
        LocalModelConfig config =
                LocalModelConfig.defaults()
                        .withIntraOpThreads(threads)
                        .withMaxBatchSize(batchSize)
                        .withMaxQueuedTexts(maxQueuedTexts);
        LocalEmbeddingModel model =
                LocalEmbeddingModel.create(LocalModel.forName(modelName), config);
        EmbeddingServer server;
        try {
            server =
                    EmbeddingServer.builder(model)
                            .host(host)
                            .port(port)
                            .maxInputs(maxInputs)
                            .maxQueuedTexts(maxQueuedTexts)
                            .apiKey(apiKey)
                            .build()
                            .start();
        } catch (BindException e) {
            model.close();
            spec.commandLine()
                    .getErr()
                    .printf("Cannot listen on %s:%d: %s%n", host, port, e.getMessage());
            return 1;
        } catch (Exception e) {
            model.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close();
                                    model.close();
                                    stopped.countDown();
                                },
                                "embedflow-serve-embeddings-shutdown"));
        out.printf(
                "Serving %s on %s/v1 (API key %s). Press Ctrl-C to stop.%n",
                model.modelId(),
                server.baseUri(),
                apiKey == null || apiKey.isBlank()
                        ? "not required; set " + apiKeyEnv + " to require one"
                        : "required, from " + apiKeyEnv);
        out.flush();
        stopped.await();
        return 0;
    }
}
