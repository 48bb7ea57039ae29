package dev.embedflow.cli;

import dev.embedflow.devserver.FreePorts;
import dev.embedflow.model.MiniLmTokenCounter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embedflow doctor}: checks that this machine can run EmbedFlow's commands (Java, the Flink
 * runtime, the Kafka broker classes, the OpenSearch distribution, the model) and which default
 * ports of {@code embedflow local} are free.
 */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = "Checks Java, Flink, Kafka, OpenSearch and the model on this machine.")
final class DoctorCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--opensearch-home",
            description =
                    "The OpenSearch distribution (default: "
                            + Checkout.OPENSEARCH_HOME
                            + " in the checkout).")
    Path openSearchHome;

    private int failures;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        check(
                out,
                "Java " + Runtime.version().feature(),
                () -> {
                    if (Runtime.version().feature() < 17) {
                        throw new IllegalStateException("Java 17 or newer is required");
                    }
                });
        check(
                out,
                "Flink runtime",
                () -> {
                    // Creating an environment loads Flink's configuration classes and their
                    // dependencies.
                    StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
                });
        check(
                out,
                "Kafka broker classes",
                () -> {
                    if (getClass().getClassLoader().getResource("kafka/Kafka.class") == null) {
                        throw new IllegalStateException(
                                "kafka_2.13 is not on the classpath (src/cli/target/lib)");
                    }
                });
        Path home = openSearchHome != null ? openSearchHome : Checkout.openSearchHome();
        check(
                out,
                "OpenSearch distribution with k-NN at " + home,
                () -> {
                    for (String part :
                            new String[] {
                                "bin/opensearch", "plugins/opensearch-knn", "modules/lang-painless"
                            }) {
                        if (!Files.exists(home.resolve(part))) {
                            throw new IllegalStateException(
                                    part + " is missing: run ./mvnw package -DskipTests");
                        }
                    }
                });
        check(out, "all-MiniLM-L6-v2 tokenizer", () -> new MiniLmTokenCounter().count("ready"));
        for (int port : new int[] {9092, 9200, 8090, 8081}) {
            out.printf(
                    "%-5s port %d %s%n",
                    FreePorts.isTaken(port) ? "note" : "ok",
                    port,
                    FreePorts.isTaken(port)
                            ? "is in use: give `embedflow local` another port"
                            : "is free");
        }
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private interface Check {
        void run() throws Exception;
    }

    private void check(PrintWriter out, String what, Check check) {
        try {
            check.run();
            out.printf("ok    %s%n", what);
        } catch (Exception | LinkageError e) {
            failures++;
            out.printf("FAIL  %s: %s%n", what, e);
        }
    }
}
