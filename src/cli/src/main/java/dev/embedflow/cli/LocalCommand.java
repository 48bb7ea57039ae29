package dev.embedflow.cli;

import dev.embedflow.local.LocalSystem;
import dev.embedflow.search.SearchHit;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embedflow local}: the whole system on this machine (see {@link LocalSystem}), until
 * Ctrl-C.
 */
@Command(
        name = "local",
        mixinStandardHelpOptions = true,
        description =
                "Runs the whole system locally: Kafka, OpenSearch, the embedding server and the job.",
        footer = {
            "",
            "Data is kept in the data directory between runs; --fresh wipes it. Runs until Ctrl-C.",
            "Publish more events with: embedflow produce FILE (JSON lines)."
        })
final class LocalCommand implements Callable<Integer> {

    /** The checkout the launcher runs from ({@code ./embedflow} sets it). */
    private static final String DEMO_QUERY = "my parcel has not arrived and tracking shows nothing";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description =
                    "Where the data lives between runs (default: .embedflow in the checkout).")
    Path dataDir;

    @Option(names = "--fresh", description = "Wipe the data of earlier runs first.")
    boolean fresh;

    @Option(names = "--kafka-port", description = "Default: ${DEFAULT-VALUE}.")
    int kafkaPort = 9092;

    @Option(names = "--kafka-controller-port", description = "Default: ${DEFAULT-VALUE}.")
    int kafkaControllerPort = 9093;

    @Option(names = "--opensearch-port", description = "Default: ${DEFAULT-VALUE}.")
    int openSearchPort = 9200;

    @Option(names = "--opensearch-transport-port", description = "Default: ${DEFAULT-VALUE}.")
    int openSearchTransportPort = 9300;

    @Option(names = "--embedding-port", description = "Default: ${DEFAULT-VALUE}.")
    int embeddingPort = 8090;

    @Option(names = "--flink-ui-port", description = "Default: ${DEFAULT-VALUE}.")
    int flinkUiPort = 8081;

    @Option(names = "--redis-port", description = "Default: ${DEFAULT-VALUE}.")
    int redisPort = 6379;

    @Option(
            names = "--qa-port",
            description = "The Q&A service's page and API. Default: ${DEFAULT-VALUE}.")
    int qaPort = 8080;

    @Option(
            names = "--samples",
            description =
                    "Sample events to publish when the topic is new (default: ${DEFAULT-VALUE}).")
    int samples = 300;

    @Option(
            names = "--opensearch-home",
            paramLabel = "DIR",
            description =
                    "The OpenSearch distribution (default: "
                            + Checkout.OPENSEARCH_HOME
                            + " in the checkout).")
    Path openSearchHome;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description =
                    "A job or Q&A setting over the local defaults, e.g. -Dwindow.mode=TUMBLING"
                            + " -Dwindow.size='1 h' or -Dqa.llm.base-url=http://localhost:11434/v1"
                            + " -Dqa.llm.model=llama3.2 (qa.* settings go to the Q&A service)."
                            + " Repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path home = Checkout.home();
        Path data = dataDir != null ? dataDir : home.resolve(".embedflow");
        LocalSystem.Builder builder =
                LocalSystem.builder()
                        .dataDir(data)
                        .openSearchHome(
                                openSearchHome != null ? openSearchHome : Checkout.openSearchHome())
                        .kafkaPort(kafkaPort)
                        .kafkaControllerPort(kafkaControllerPort)
                        .openSearchPort(openSearchPort)
                        .openSearchTransportPort(openSearchTransportPort)
                        .embeddingPort(embeddingPort)
                        .flinkUiPort(flinkUiPort)
                        .redisPort(redisPort)
                        .qaPort(qaPort)
                        .sampleEvents(samples)
                        .fresh(fresh)
                        .progress(
                                line -> {
                                    out.println(line);
                                    out.flush();
                                });
        settings.forEach(
                (key, value) -> {
                    if (key.startsWith("qa.")) {
                        builder.qaSetting(key, value);
                    } else {
                        builder.jobSetting(key, value);
                    }
                });
        LocalSystem system = builder.build();

        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            out.println();
                            out.println(
                                    "Stopping: the Q&A service, the job, Redis, the embedding server,"
                                            + " OpenSearch, Kafka...");
                            out.flush();
                            system.close();
                            out.println("Stopped. Data kept in " + data);
                            out.flush();
                            stopped.countDown();
                        },
                        "embedflow-local-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long started = System.nanoTime();
        system.start();
        if (system.samplesPublished() > 0) {
            out.printf(
                    "Waiting until the %d sample events are searchable...%n",
                    system.samplesPublished());
            out.flush();
            if ("LATEST"
                    .equalsIgnoreCase(
                            system.jobConfiguration().getString("window.id-mode", "HISTORY"))) {
                // An entity's older windows are overwritten: the events they held are not
                // counted any more, so wait for documents instead.
                system.awaitDocuments(1, Duration.ofMinutes(3));
            } else {
                system.awaitEvents(system.samplesPublished(), Duration.ofMinutes(3));
            }
        }
        long documents = system.documentCount();
        out.printf(
                "Ready in %d s: %d documents in the index, covering %d events.%n%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                documents,
                system.eventsIndexed());
        if (documents > 0) {
            out.printf("Semantic search for \"%s\":%n", DEMO_QUERY);
            List<SearchHit> hits = system.search(DEMO_QUERY, 5);
            SearchCommand.printTable(out, hits);
            out.println();
        }
        printWhatRunsWhere(out, system);
        out.flush();

        while (!stopped.await(5, TimeUnit.SECONDS)) {
            Optional<String> problem = system.problem();
            if (problem.isPresent()) {
                spec.commandLine().getErr().println("Error: " + problem.get());
                spec.commandLine().getErr().flush();
                Runtime.getRuntime().removeShutdownHook(hook);
                system.close();
                return 1;
            }
        }
        return 0;
    }

    private static void printWhatRunsWhere(PrintWriter out, LocalSystem system) {
        String kafka = system.kafkaBootstrapServers();
        String os = system.openSearchUri().toString();
        out.println("Running:");
        out.printf("  Kafka              %s   (topic %s)%n", kafka, system.topic());
        out.printf("  OpenSearch + k-NN  %s   (alias %s)%n", os, LocalSystem.INDEX_ALIAS);
        out.printf("  Embeddings         %s/v1/embeddings%n", system.embeddingBaseUri());
        out.printf("  Flink web UI       %s%n", system.flinkWebUri());
        out.printf(
                "  Q&A page and API   %s   (OpenAI-compatible: %s/v1)%n",
                system.qaUri(), system.qaUri());
        out.printf("  Redis (sessions)   %s%n", system.redisUrl());
        out.printf("  Data               %s%n", system.dataDir());
        out.println();
        out.println("Try:");
        out.printf(
                "  ./embedflow search \"broken tent pole\"%s%n",
                os.endsWith(":9200") ? "" : " --opensearch " + os);
        out.printf(
                "  echo '{\"specversion\":\"1.0\",\"id\":\"me-1\",\"type\":\"ticket.opened\","
                        + "\"subject\":\"customer-99\",\"time\":\"%s\",\"data\":{\"message\":"
                        + "\"my stove leaks gas\"}}' | ./embedflow produce -%s%n",
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                kafka.endsWith(":9092") ? "" : " --bootstrap-servers " + kafka);
        out.printf(
                "  curl -s '%s/%s/_search?q=tent&size=3&_source=text'%n",
                os, LocalSystem.INDEX_ALIAS);
        out.printf(
                "  curl -s %s/v1/chat/completions -H 'Content-Type: application/json' -d"
                        + " '{\"model\":\"embedflow-extractive\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Which tent pole broke?\"}]}'%n",
                system.qaUri());
        out.printf("  open %s in a browser to ask questions%n", system.qaUri());
        out.println();
        out.println("Indexing whatever is published to '" + system.topic() + "'. Ctrl-C stops.");
    }
}
