package dev.embedflow.cli;

import dev.embedflow.local.LocalSystem;
import dev.embedflow.source.SourceOptions;
import dev.embedflow.stream.StreamingJob;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code embedflow stream}: runs the streaming job, here on a local Flink MiniCluster, or on a
 * Flink cluster as the job jar's entry point ({@link StreamingJob#main}).
 */
@Command(
        name = "stream",
        mixinStandardHelpOptions = true,
        description =
                "Runs the streaming job: Kafka events -> windows -> embeddings -> OpenSearch.",
        footer = {
            "",
            "Settings come from FLINK_CONF_DIR/config.yaml, then --config, then -D; see the",
            "configuration reference in the README. Without source.*, embedding.* and",
            "opensearch.hosts it uses what `embedflow local` runs (Kafka on localhost:9092, topic",
            "events, the local model, OpenSearch on localhost:9200) and says so. Example:",
            "  embedflow stream -Dsource.bootstrap-servers=localhost:9092 -Dsource.topics=events \\",
            "    -Dembedding.provider=openai -Dembedding.base-url=http://localhost:8090 \\",
            "    -Dopensearch.hosts=http://localhost:9200"
        })
public final class StreamCommand implements Callable<Integer> {

    @Mixin SettingsMixin settings;

    @Override
    public Integer call() throws Exception {
        Configuration config = settings.load(Map.of());
        describeDefaults(config, System.err);
        StreamingJob.run(config);
        return 0;
    }

    /**
     * With nothing configured, the streaming job reads and writes where {@code embedflow local}
     * runs: Kafka on localhost:9092, topic {@value LocalSystem#DEFAULT_TOPIC}, the local model in
     * process, OpenSearch on localhost:9200. Says what it uses, on {@code log}.
     */
    static void describeDefaults(Configuration config, java.io.PrintStream log) {
        if (config.getOptional(SourceOptions.BOOTSTRAP_SERVERS).isEmpty()) {
            config.set(SourceOptions.BOOTSTRAP_SERVERS, "localhost:9092");
            log.println(
                    "Reading Kafka at localhost:9092, where embedflow local runs"
                            + " (-Dsource.bootstrap-servers=... for another)");
        }
        if (config.getOptional(SourceOptions.TOPICS).isEmpty()) {
            config.set(SourceOptions.TOPICS, java.util.List.of(LocalSystem.DEFAULT_TOPIC));
            log.println(
                    "Reading topic "
                            + LocalSystem.DEFAULT_TOPIC
                            + " (-Dsource.topics=... for others)");
        }
        BatchCommand.describeDefaults(config, log);
    }
}
