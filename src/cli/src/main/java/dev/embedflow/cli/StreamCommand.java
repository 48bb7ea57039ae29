package dev.embedflow.cli;

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
            "configuration reference in the README. Example:",
            "  embedflow stream -Dsource.bootstrap-servers=localhost:9092 -Dsource.topics=events \\",
            "    -Dembedding.provider=openai -Dembedding.base-url=http://localhost:8090 \\",
            "    -Dopensearch.hosts=http://localhost:9200"
        })
public final class StreamCommand implements Callable<Integer> {

    @Mixin SettingsMixin settings;

    @Override
    public Integer call() throws Exception {
        Configuration config = settings.load(Map.of());
        StreamingJob.run(config);
        return 0;
    }
}
