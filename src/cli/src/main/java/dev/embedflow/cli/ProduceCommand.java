package dev.embedflow.cli;

import dev.embedflow.devserver.EventPublisher;
import dev.embedflow.local.LocalSystem;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code embedflow produce [FILE|-]}: publishes JSON lines to the events topic. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Publishes JSON lines (CloudEvents or plain JSON) to a Kafka topic.",
        footer = {
            "",
            "One record per non-blank line, keyed by its subject (--key-pointer) when it has one.",
            "Lines that are not JSON objects are sent too: the job dead-letters them with the reason.",
            "Example: ./embedflow produce events.jsonl"
        })
final class ProduceCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "FILE",
            description = "JSON lines to publish; '-' or none reads standard input.")
    String file = "-";

    @Option(names = "--topic", description = "Default: ${DEFAULT-VALUE}.")
    String topic = LocalSystem.DEFAULT_TOPIC;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "Default: ${DEFAULT-VALUE}.")
    String bootstrapServers = "localhost:9092";

    @Option(
            names = "--key-pointer",
            paramLabel = "POINTER",
            description = "JSON pointer of the record key (default: ${DEFAULT-VALUE}).")
    String keyPointer = EventPublisher.DEFAULT_KEY_POINTER;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        EventPublisher.Result result;
        try (BufferedReader reader = open();
                EventPublisher publisher =
                        EventPublisher.connect(bootstrapServers, topic, keyPointer)) {
            result = publisher.publish(reader);
        }
        out.printf(
                "Sent %d records to %s at %s (%d keyed by %s).%n",
                result.sent(), topic, bootstrapServers, result.keyed(), keyPointer);
        if (result.notJson() > 0) {
            out.printf(
                    "%d of them are not JSON objects: the job sends them to its dead-letter topic.%n",
                    result.notJson());
        }
        out.flush();
        return 0;
    }

    private BufferedReader open() throws java.io.IOException {
        if ("-".equals(file)) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        }
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("Cannot read " + path.toAbsolutePath());
        }
        return Files.newBufferedReader(path, StandardCharsets.UTF_8);
    }
}
